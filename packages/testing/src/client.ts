import {
  type Auth,
  createInquiriesClient,
  createRegistryClient,
  createSymposiumClient,
  createWorkerClient,
  type InquiriesClient,
  type Middleware,
  type RegistryClient,
  type SymposiumClient,
  type WorkerClient,
} from '@sp/client';
import type { RunningApp, TestApp } from './app';

/** A test app (from `useTestApp`), a started one, or a base URL. */
export type ClientTarget = Pick<TestApp, 'running'> | RunningApp | string;
/** Who calls: nobody, a bearer token (`await staffToken('admin')`), or any `Auth` of @sp/client. */
export type As = string | Auth;

const baseUrlOf = (target: ClientTarget): string =>
  typeof target === 'string' ? target : 'url' in target ? target.url : target.running.url;
const authOf = (as: As | undefined): Auth => (typeof as === 'string' ? { bearer: as } : as);

/**
 * The generated clients bound to a running test app. Read lazily: call them inside a test or
 * hook, where `ctx.running` exists.
 */
export const registryClient = (target: ClientTarget, as?: As): RegistryClient =>
  createRegistryClient({ baseUrl: baseUrlOf(target), auth: authOf(as) });
export const symposiumClient = (target: ClientTarget, as?: As): SymposiumClient =>
  createSymposiumClient({ baseUrl: baseUrlOf(target), auth: authOf(as) });
export const inquiriesClient = (target: ClientTarget, as?: As): InquiriesClient =>
  createInquiriesClient({ baseUrl: baseUrlOf(target), auth: authOf(as) });
export const workerClient = (target: ClientTarget, as?: As): WorkerClient =>
  createWorkerClient({ baseUrl: baseUrlOf(target), auth: authOf(as) });

/**
 * A deliberately wrong request body (or query), typed to fit anywhere: the generated types
 * refuse what the test means to send, and the service must refuse it too.
 */
export const unchecked = (value: unknown): never => value as never;

/** Sends a body exactly as given (a string that is not JSON, say), for `bodySerializer`. */
export const rawBody = (body: unknown): string => String(body);

/**
 * Request options sending `fields` as `application/x-www-form-urlencoded` (the OAuth token
 * endpoint's form), for a generated client's `POST`: `api.POST('/oauth/token', form({...}))`.
 */
export const form = (
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): { body: never; bodySerializer: (body: unknown) => string; headers: Record<string, string> } => ({
  body: unchecked(fields),
  bodySerializer: (body) => new URLSearchParams(body as Record<string, string>).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
});

/** An HTTP Basic `authorization` value for OAuth client credentials (RFC 6749 §2.3.1). */
export const basicAuth = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/**
 * Request options that send a GET route's request as HEAD: `api.GET('/symposiums', asHead)`.
 * (Fastify answers HEAD on every GET route; the documents list only the GET.)
 */
export const asHead: { middleware: Middleware[] } = {
  middleware: [{ onRequest: ({ request }) => new Request(request, { method: 'HEAD' }) }],
};
