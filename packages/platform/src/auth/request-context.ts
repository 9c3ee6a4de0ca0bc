import { AsyncLocalStorage } from 'node:async_hooks';
import type { Principal } from './principal';

/** What a request carries through every async call it makes: who is calling. */
export type RequestContext = { principal: Principal; requestId?: string };

const storage = new AsyncLocalStorage<RequestContext>();
const anonymous: Principal = { kind: 'anonymous' };

export const requestContext = {
  /** Runs `fn` (the rest of the request) inside a fresh context. */
  run<T>(fn: () => T, requestId?: string): T {
    return storage.run({ principal: anonymous, requestId }, fn);
  },
  /** The calling principal; anonymous outside a request (workers, CLIs). */
  principal(): Principal {
    return storage.getStore()?.principal ?? anonymous;
  },
  setPrincipal(principal: Principal): void {
    const store = storage.getStore();
    if (store) store.principal = principal;
  },
  requestId(): string | undefined {
    return storage.getStore()?.requestId;
  },
};

/**
 * The partner a request is bound to, or null for staff and anonymous callers. Repositories
 * apply it in their base query, so a partner's token only ever reaches its own rows (another
 * partner's row is simply not found: 404, never 403, so ids leak nothing).
 */
export function boundPartnerId(): string | null {
  const principal = requestContext.principal();
  return principal.kind === 'partner' ? principal.partnerId : null;
}
