import { configSchema } from './config';

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
