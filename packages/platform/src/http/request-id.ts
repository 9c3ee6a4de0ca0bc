import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';
const acceptable = /^[\w.:-]{1,128}$/;

/**
 * The request id: the caller's `x-request-id` when it is a sane token (so a trace crosses
 * services), a new UUID otherwise. Stored on the raw request too, where the pino-http logger
 * picks it up, so every log line of the request carries the same id.
 */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  const id = typeof given === 'string' && acceptable.test(given) ? given : randomUUID();
  (req as IncomingMessage & { id?: string }).id = id;
  return id;
}
