import { configSchema } from './config';

const production = {
  NODE_ENV: 'production',
  AUTH_STAFF_ISSUER: 'https://idp.test.example/',
  AUTH_STAFF_JWKS_URL: 'https://idp.test.example/jwks.json',
};

describe('the public address in production', () => {
  it('must be set: the default is this machine, which no feed reader can reach', () => {
    const result = configSchema.safeParse(production);
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['PUBLIC_BASE_URL', expect.stringMatching(/is required when NODE_ENV=production/)],
    ]);
    const set = configSchema.parse({
      ...production,
      PUBLIC_BASE_URL: 'https://partners.example.ac.jp/',
    });
    expect(set.PUBLIC_BASE_URL).toBe('https://partners.example.ac.jp');
  });

  it('defaults to this machine outside production, and parses its own result again', () => {
    const once = configSchema.parse({});
    expect(once.PUBLIC_BASE_URL).toBe('http://localhost:3001');
    expect(configSchema.parse(once)).toEqual(once);
  });
});
