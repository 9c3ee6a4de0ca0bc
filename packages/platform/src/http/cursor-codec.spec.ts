import { z } from 'zod';
import { AppError, statusOf } from '../app-error';
import { CursorCodec, invalidCursor } from './cursor-codec';

const codec = new CursorCodec(z.object({ v: z.string(), i: z.uuid() }).strict());
const id = '0b6f1c3e-8c1a-4d7e-9f10-2a3b4c5d6e7f';
const forge = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The AppError `fn` throws (fails the test if it throws none or another error). */
function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected an AppError');
}

describe('CursorCodec', () => {
  it('round-trips a cursor as base64url (URL-safe, no padding)', () => {
    const cursor = { v: '2026-11-24T10:00:00.123456Z/ü?', i: id };
    const raw = codec.encode(cursor);
    expect(raw).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(codec.decode(raw)).toEqual(cursor);
  });

  it.each([
    ['garbage', 'not base64 json'],
    ['base64 of no JSON', Buffer.from('{"v":').toString('base64url')],
    ['another shape', forge({ x: 1 })],
    ['an extra key', forge({ v: 'a', i: id, extra: true })],
    ['a bad id', forge({ v: 'a', i: '42' })],
    ['a NUL in a value', forge({ v: 'a\u0000b', i: id })],
  ])('refuses %s as a 400 on the cursor query field', (_label, raw) => {
    const error = thrown(() => codec.decode(raw));
    expect(error.code).toBe('validation-error');
    expect(statusOf[error.code]).toBe(400);
    expect(error.message).toBe('invalid query: the cursor is not one this API handed out');
    expect(error.errors).toEqual([
      {
        in: 'query',
        field: 'cursor',
        message: 'is not one this API handed out',
        code: 'invalid_cursor',
      },
    ]);
  });

  it('invalidCursor names the cursor field with the given reason', () => {
    const error = invalidCursor('was made for sort "x"');
    expect(error.code).toBe('validation-error');
    expect(error.message).toBe('invalid query: the cursor was made for sort "x"');
    expect(error.errors?.[0]).toMatchObject({ in: 'query', field: 'cursor' });
  });
});
