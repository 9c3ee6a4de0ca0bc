import type { IncomingMessage } from 'node:http';

/** Past this much of an abandoned body, the connection is closed rather than read to its end. */
export const UNREAD_BODY_DRAIN_LIMIT = 16 * 1024 * 1024;

/**
 * Reads and discards what is left of a request body the handler stopped reading, so the
 * keep-alive connection can carry the client's next request.
 *
 * A multipart handler that answers early (an unexpected file part, a file over its limit)
 * leaves the request piped into busboy, which stops pulling once nobody reads its parts: the
 * rest of the body then sits on the socket and the client's next request on that connection
 * waits forever (the fuzz suite's 30 s timeouts). Node drains an unread body itself only when
 * nothing was ever piped from it. A client that keeps sending after the limit has its
 * connection closed.
 */
export function drainUnreadBody(raw: IncomingMessage, limit = UNREAD_BODY_DRAIN_LIMIT): void {
  if (raw.complete || raw.destroyed) return;
  raw.unpipe();
  let drained = 0;
  raw.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > limit) raw.socket.destroy();
  });
  raw.resume();
}
