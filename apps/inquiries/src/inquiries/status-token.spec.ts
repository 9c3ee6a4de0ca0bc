import { hashStatusToken, newStatusToken } from './status-token';

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
});
