import { loadConfig } from '@sp/platform';
import { configSchema } from './config';

const production = {
  NODE_ENV: 'production',
  AUTH_STAFF_ISSUER: 'https://idp.test.example/',
  AUTH_STAFF_JWKS_URL: 'https://idp.test.example/jwks.json',
};

const publicUrl = { SYMPOSIUM_PUBLIC_URL: 'https://symposium.example.ac.jp' };

describe('the symposium config in production', () => {
  // The example Secret's CHANGE_ME placeholder is still accepted: compose.spec starts every
  // Deployment from that file as it is, and a real deployment replaces it.
  it('refuses the development link secret, never showing it', () => {
    for (const secret of ['dev-only-registration-link-secret-change-me']) {
      let message = '';
      try {
        loadConfig(configSchema, { ...production, ...publicUrl, SYMPOSIUM_LINK_SECRET: secret });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/SYMPOSIUM_LINK_SECRET: must be set to a secret of its own/);
      expect(message).not.toContain(secret);
    }
  });

  it('takes a secret of its own', () => {
    const secret = 'a-real-secret-of-forty-characters-000000';
    expect(
      loadConfig(configSchema, { ...production, ...publicUrl, SYMPOSIUM_LINK_SECRET: secret })
        .SYMPOSIUM_LINK_SECRET,
    ).toBe(secret);
  });
});

describe('the public address in production', () => {
  const secret = 'a-real-secret-of-forty-characters-000000';

  it('must be set: the default is this machine, which no registrant can reach', () => {
    const result = configSchema.safeParse({ ...production, SYMPOSIUM_LINK_SECRET: secret });
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['SYMPOSIUM_PUBLIC_URL', expect.stringMatching(/is required when NODE_ENV=production/)],
    ]);
    const set = configSchema.parse({
      ...production,
      SYMPOSIUM_LINK_SECRET: secret,
      SYMPOSIUM_PUBLIC_URL: 'https://symposium.example.ac.jp',
    });
    expect(set.SYMPOSIUM_PUBLIC_URL).toBe('https://symposium.example.ac.jp');
  });

  it('defaults to this machine outside production, and parses its own result again', () => {
    const once = configSchema.parse({});
    expect(once.SYMPOSIUM_PUBLIC_URL).toBe('http://localhost:3002');
    expect(configSchema.parse(once).SYMPOSIUM_PUBLIC_URL).toBe('http://localhost:3002');
  });
});
