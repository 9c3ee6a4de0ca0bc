import type { components } from './generated/partner-registry';

export type TokenResponse = components['schemas']['TokenResponseDto'];

export type PartnerCredentials = {
  /** The registry's base URL, e.g. `https://registry.example.ac.jp`; tokens come from its `POST /oauth/token`. */
  registryUrl: string;
  clientId: string;
  clientSecret: string;
  /** Scopes to ask for (space-separated on the wire); the client's own scopes when omitted. */
  scopes?: string[];
  /** Fetch a new token this many seconds before the current one expires (default 60). */
  refreshBeforeSeconds?: number;
  /** For tests and custom agents; `globalThis.fetch` by default. */
  fetch?: typeof fetch;
  /** The clock, in milliseconds since the epoch (for tests). */
  now?: () => number;
};

/** Thrown when the registry refuses the credentials (its problem+json body is kept). */
export class TokenRequestError extends Error {
  constructor(
    readonly status: number,
    readonly problem: unknown,
  ) {
    super(`POST /oauth/token answered ${status}`);
    this.name = 'TokenRequestError';
  }
}

/**
 * The OAuth 2.0 client credentials grant (RFC 6749 §4.4) against the partner registry: fetches
 * a token on first use, caches it, and fetches the next one `refreshBeforeSeconds` before it
 * expires. Concurrent callers share one request.
 */
export class PartnerTokenSource {
  private current: { token: string; refreshAt: number } | undefined;
  private pending: Promise<string> | undefined;
  /** How many tokens have been fetched (for tests and metrics). */
  fetched = 0;

  constructor(private readonly credentials: PartnerCredentials) {}

  /** A token that is valid for at least `refreshBeforeSeconds` more. */
  token(): Promise<string> {
    const now = (this.credentials.now ?? Date.now)();
    if (this.current && now < this.current.refreshAt) return Promise.resolve(this.current.token);
    this.pending ??= this.request().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Forgets the cached token, so the next call fetches one (after a 401, say). */
  invalidate(): void {
    this.current = undefined;
  }

  private async request(): Promise<string> {
    const { registryUrl, clientId, clientSecret, scopes } = this.credentials;
    const doFetch = this.credentials.fetch ?? globalThis.fetch;
    const now = this.credentials.now ?? Date.now;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (scopes?.length) form.set('scope', scopes.join(' '));
    const requestedAt = now();
    const res = await doFetch(new URL('/oauth/token', registryUrl), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        // RFC 6749 §2.3.1: the id and secret form-encoded, then Basic.
        authorization: `Basic ${Buffer.from(
          `${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`,
        ).toString('base64')}`,
      },
      body: form.toString(),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: kept as text in the error below.
    }
    if (!res.ok) throw new TokenRequestError(res.status, body);
    const { access_token, expires_in } = body as TokenResponse;
    const margin = Math.min(this.credentials.refreshBeforeSeconds ?? 60, expires_in / 2);
    this.current = { token: access_token, refreshAt: requestedAt + (expires_in - margin) * 1000 };
    this.fetched += 1;
    return access_token;
  }
}
