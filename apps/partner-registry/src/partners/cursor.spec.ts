import { AppError } from '@sp/platform';
import { decodeCursor, encodeCursor } from './cursor';

describe('keyset cursors', () => {
  const cursor = {
    sort: '-createdAt',
    value: '2026-11-24T10:00:00.123456Z',
    id: '0b6f1c3e-8c1a-4d7e-9f10-2a3b4c5d6e7f',
  };

  it('round-trip', () => {
    expect(decodeCursor(encodeCursor(cursor), '-createdAt')).toEqual(cursor);
  });

  it.each([
    ['garbage', 'not base64 json'],
    ['wrong shape', Buffer.from('{"x":1}').toString('base64url')],
    ['bad id', Buffer.from('{"s":"nameEn","v":"a","i":"42"}').toString('base64url')],
  ])('reject %s as a 400 on the cursor field', (_label, raw) => {
    expect(() => decodeCursor(raw, 'nameEn')).toThrow(AppError);
    try {
      decodeCursor(raw, 'nameEn');
    } catch (error) {
      expect((error as AppError).code).toBe('validation-error');
      expect((error as AppError).errors?.[0]?.field).toBe('cursor');
    }
  });

  it('reject a cursor made for another sort', () => {
    expect(() => decodeCursor(encodeCursor(cursor), 'nameEn')).toThrow(
      /made for sort "-createdAt"/,
    );
  });
});
