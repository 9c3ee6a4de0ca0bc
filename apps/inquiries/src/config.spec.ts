import { configSchema } from './config';

describe('inquiries config', () => {
  it('defaults to the year-end closure, the SLA targets and the group mailbox', () => {
    const config = configSchema.parse({});
    expect(config.INQUIRY_CLOSURE_DAYS).toEqual([{ kind: 'yearly', from: '12-29', to: '01-03' }]);
    expect(config.INQUIRY_SLA_HOURS.default).toEqual({ firstResponse: 480, resolution: 2400 });
    expect(config.INQUIRY_GROUP_EMAIL).toMatch(/@/);
  });

  it('names a closure or SLA entry it cannot read', () => {
    const result = configSchema.safeParse({
      INQUIRY_CLOSURE_DAYS: '12-32',
      INQUIRY_SLA_HOURS: 'media=1/2',
    });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((issue) => issue.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['INQUIRY_CLOSURE_DAYS', 'INQUIRY_SLA_HOURS']));
  });

  it('accepts a config parsed once already', () => {
    const once = configSchema.parse({ INQUIRY_SLA_HOURS: 'default=1/2' });
    expect(configSchema.parse(once).INQUIRY_SLA_HOURS).toEqual(once.INQUIRY_SLA_HOURS);
  });
});

describe('the status link in production', () => {
  const production = {
    NODE_ENV: 'production',
    AUTH_STAFF_ISSUER: 'https://idp.test.example/',
    AUTH_STAFF_JWKS_URL: 'https://idp.test.example/jwks.json',
  };

  it('must be set: the default is this machine, which no inquirer can reach', () => {
    const result = configSchema.safeParse(production);
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['STATUS_PAGE_URL', expect.stringMatching(/is required when NODE_ENV=production/)],
    ]);
    const set = configSchema.parse({
      ...production,
      STATUS_PAGE_URL: 'https://inquiries.example.ac.jp/inquiries/status/',
    });
    expect(set.STATUS_PAGE_URL).toBe('https://inquiries.example.ac.jp/inquiries/status/');
  });

  it('defaults to this machine outside production', () => {
    expect(configSchema.parse({}).STATUS_PAGE_URL).toBe('http://127.0.0.1:3003/inquiries/status/');
  });
});

describe('the inquiries config', () => {
  it('parses the environment, and parses its own result again unchanged (main, then the app module)', () => {
    const once = configSchema.parse({
      ATTACHMENT_TYPES: 'application/pdf, image/png',
      INBOUND_SMTP_PORT: '2525',
    });
    expect(once.ATTACHMENT_TYPES).toEqual(['application/pdf', 'image/png']);
    expect(once.INBOUND_SMTP_PORT).toBe(2525);
    expect(configSchema.parse(once)).toEqual(once);
    expect(configSchema.parse({}).ATTACHMENT_TYPES).toContain('application/pdf');
    expect(configSchema.parse({}).INBOUND_SMTP_PORT).toBeUndefined();
  });
});
