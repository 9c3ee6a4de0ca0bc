import { z } from 'zod';
import { ConfigError, loadConfig, serviceConfigSchema } from './config';

const schema = serviceConfigSchema(3001);

describe('loadConfig', () => {
  it('applies defaults, treating an empty variable as unset', () => {
    const config = loadConfig(schema, { DATABASE_URL: '', LOG_LEVEL: 'warn' });
    expect(config).toMatchObject({
      PORT: 3001,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/strategic_partnerships',
      REDIS_URL: 'redis://127.0.0.1:6379',
      V8_PRETENURING: 'off',
    });
  });

  it('takes V8_PRETENURING=on and refuses what it does not know', () => {
    expect(loadConfig(schema, { V8_PRETENURING: 'on' }).V8_PRETENURING).toBe('on');
    expect(() => loadConfig(schema, { V8_PRETENURING: 'false' })).toThrow(/V8_PRETENURING/);
  });

  it('lists every bad variable with what was expected and what was given', () => {
    let error: unknown;
    try {
      loadConfig(schema, { DATABASE_URL: 'localhost:5432', REDIS_URL: 'http://x', PORT: '99999' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(3);
    expect(problems).toContainEqual(
      'DATABASE_URL: expected a URL starting with postgres:// or postgresql:// (got "localhost:5432")',
    );
    expect(problems.find((p) => p.startsWith('REDIS_URL:'))).toContain('redis://');
    expect(problems.find((p) => p.startsWith('PORT:'))).toContain('"99999"');
  });

  it('hides a password when it shows a bad value', () => {
    const strict = z.object({ DATABASE_URL: z.string().max(5) });
    expect(() => loadConfig(strict, { DATABASE_URL: 'postgres://u:secret@h/db' })).toThrow(
      /postgres:\/\/u:\*\*\*@h\/db/,
    );
  });

  it('never shows the value of a variable named like a secret', () => {
    const strict = z.object({ LINK_SECRET: z.string().min(32), API_KEY: z.string().max(3) });
    let message = '';
    try {
      loadConfig(strict, { LINK_SECRET: 'my-real-but-short-secret', API_KEY: 'abcdef' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('LINK_SECRET: ');
    expect(message).toContain('(got 24 characters, not shown)');
    expect(message).toContain('API_KEY: ');
    expect(message).not.toMatch(/my-real|abcdef/);
  });

  it('names a required variable that is missing', () => {
    expect(() => loadConfig(z.object({ SMTP_URL: z.string() }), {})).toThrow(
      /SMTP_URL: .*\(it is not set\)/,
    );
  });
});
