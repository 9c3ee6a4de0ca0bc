import { loadConfig } from '@sp/platform';
import { configSchema } from './config';

const production = {
  NODE_ENV: 'production',
  AUTH_STAFF_ISSUER: 'https://idp.test.example/',
  AUTH_STAFF_JWKS_URL: 'https://idp.test.example/jwks.json',
};

describe('the symposium config in production', () => {
  it("refuses the development link secret and the example file's placeholder, never showing them", () => {
    for (const secret of [
      'dev-only-registration-link-secret-change-me',
      'CHANGE_ME_to_32_or_more_random_characters_0000',
    ]) {
      let message = '';
      try {
        loadConfig(configSchema, { ...production, SYMPOSIUM_LINK_SECRET: secret });
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
      loadConfig(configSchema, { ...production, SYMPOSIUM_LINK_SECRET: secret })
        .SYMPOSIUM_LINK_SECRET,
    ).toBe(secret);
  });
});
