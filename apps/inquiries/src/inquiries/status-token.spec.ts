import {
  hashClientKey,
  hashStatusToken,
  newStatusToken,
  sealStatusToken,
  unsealStatusToken,
} from './status-token';

describe('status tokens', () => {
  it('are 43 base64url characters, different each time, stored as their SHA-256 only', () => {
    const a = newStatusToken();
    const b = newStatusToken();
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.token).not.toBe(b.token);
    expect(a.hash).toBe(hashStatusToken(a.token));
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.hash).not.toContain(a.token);
  });

  it('are sealed under the Idempotency-Key: only that key opens them', () => {
    const { token } = newStatusToken();
    const key = 'f3b1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
    const sealed = sealStatusToken(token, key);
    expect(sealed).not.toContain(token);
    // A new IV each time: the same token sealed twice looks different.
    expect(sealStatusToken(token, key)).not.toBe(sealed);
    expect(unsealStatusToken(sealed, key)).toBe(token);
    expect(() => unsealStatusToken(sealed, `${key}x`)).toThrow();
    // The stored hash of the key is not the key, nor what seals.
    expect(hashClientKey(key)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashClientKey(key)).not.toBe(hashStatusToken(key));
  });
});
