import { loadConfig } from '@sp/platform';
import { configSchema } from './config';

const production = {
  NODE_ENV: 'production',
  AUTH_STAFF_ISSUER: 'https://idp.test.example/',
  AUTH_STAFF_JWKS_URL: 'https://idp.test.example/jwks.json',
};
const sender = { MAIL_FROM: 'IPPG <ippg@u-tokyo.example>' };

/** The message loadConfig refuses `env` with, or '' when it takes it. */
const refusal = (env: Record<string, string>): string => {
  try {
    loadConfig(configSchema, env);
    return '';
  } catch (error) {
    return (error as Error).message;
  }
};

describe('the worker config in production', () => {
  it('must name the sender: the default is a placeholder domain receivers refuse', () => {
    expect(refusal(production)).toMatch(/MAIL_FROM: is required when NODE_ENV=production/);
    expect(loadConfig(configSchema, { ...production, ...sender }).MAIL_FROM).toBe(sender.MAIL_FROM);
  });

  it('must have its public address when it mails links to ready reports', () => {
    const recipients = { ...production, ...sender, REPORT_RECIPIENTS: 'office@u-tokyo.example' };
    expect(refusal(recipients)).toMatch(/PUBLIC_URL: is required when NODE_ENV=production/);
    expect(refusal({ ...recipients, PUBLIC_URL: 'https://ops.u-tokyo.example' })).toBe('');
    // No recipients, no such mail: the address may stay unset.
    expect(refusal({ ...production, ...sender })).toBe('');
  });

  it('keeps the development sender outside production', () => {
    expect(loadConfig(configSchema, {}).MAIL_FROM).toMatch(/strategic-partnerships\.example/);
  });
});
