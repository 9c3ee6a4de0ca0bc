import { hashSecret, newClientSecret, verifySecret } from './secrets';

describe('client secrets', () => {
  it('verify against their hash and nothing else', async () => {
    const secret = newClientSecret();
    const stored = await hashSecret(secret);
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(stored).not.toContain(secret.slice(4));
    await expect(verifySecret(secret, stored)).resolves.toBe(true);
    await expect(verifySecret(`${secret}x`, stored)).resolves.toBe(false);
    await expect(verifySecret(newClientSecret(), stored)).resolves.toBe(false);
  });

  it('salt each hash, so equal secrets hash differently', async () => {
    const secret = newClientSecret();
    expect(await hashSecret(secret)).not.toBe(await hashSecret(secret));
  });

  it('refuse a malformed stored hash', async () => {
    await expect(verifySecret('x', 'plain-text')).resolves.toBe(false);
  });
});
