import createClient, { type Client, type ClientOptions, type Middleware } from 'openapi-fetch';
import type { paths as InquiriesPaths } from './generated/inquiries';
import type { paths as RegistryPaths } from './generated/partner-registry';
import type { paths as SymposiumPaths } from './generated/symposium';
import type { paths as WorkerPaths } from './generated/worker';
import { type PartnerCredentials, PartnerTokenSource } from './partner-token';

export type { components as InquiriesSchemas } from './generated/inquiries';
export type { components as RegistrySchemas } from './generated/partner-registry';
export type { components as SymposiumSchemas } from './generated/symposium';
export type { components as WorkerSchemas } from './generated/worker';
export type { InquiriesPaths, RegistryPaths, SymposiumPaths, WorkerPaths };
export type { Middleware } from 'openapi-fetch';
export type { PartnerCredentials, TokenResponse } from './partner-token';
export { PartnerTokenSource, TokenRequestError } from './partner-token';

/**
 * Who is calling: nobody, a fixed bearer token (a staff token from the identity provider),
 * a function giving one, or a partner API client's credentials (tokens fetched and renewed).
 */
export type Auth =
  | undefined
  | { bearer: string | (() => string | Promise<string>) }
  | { partner: PartnerCredentials | PartnerTokenSource };

export type ServiceClientOptions = Omit<ClientOptions, 'baseUrl'> & {
  /** The service's base URL, e.g. `http://127.0.0.1:3001`. */
  baseUrl: string;
  auth?: Auth;
};

/** A middleware that puts the caller's bearer token on every request that has none. */
export function bearerAuth(auth: Exclude<Auth, undefined>): Middleware {
  const token: () => string | Promise<string> =
    'bearer' in auth
      ? typeof auth.bearer === 'string'
        ? () => auth.bearer as string
        : auth.bearer
      : (
          (source) => () =>
            source.token()
        )(
          auth.partner instanceof PartnerTokenSource
            ? auth.partner
            : new PartnerTokenSource(auth.partner),
        );
  return {
    async onRequest({ request }) {
      if (!request.headers.has('authorization'))
        request.headers.set('authorization', `Bearer ${await token()}`);
      return request;
    },
  };
}

function serviceClient<Paths extends object>({
  auth,
  ...options
}: ServiceClientOptions): Client<Paths> {
  const client = createClient<Paths>(options);
  if (auth) client.use(bearerAuth(auth));
  return client;
}

export type RegistryClient = Client<RegistryPaths>;
export type SymposiumClient = Client<SymposiumPaths>;
export type InquiriesClient = Client<InquiriesPaths>;
export type WorkerClient = Client<WorkerPaths>;

/** The partner registry (partners, API clients, the OAuth token endpoint). */
export const createRegistryClient = (options: ServiceClientOptions): RegistryClient =>
  serviceClient<RegistryPaths>(options);
/** The symposium service. */
export const createSymposiumClient = (options: ServiceClientOptions): SymposiumClient =>
  serviceClient<SymposiumPaths>(options);
/** The inquiries service. */
export const createInquiriesClient = (options: ServiceClientOptions): InquiriesClient =>
  serviceClient<InquiriesPaths>(options);
/** The worker's HTTP API (notification deliveries). */
export const createWorkerClient = (options: ServiceClientOptions): WorkerClient =>
  serviceClient<WorkerPaths>(options);
