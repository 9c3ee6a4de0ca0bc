import { AppError } from '../app-error';
import { checkVersion, etagOf, parseIfMatch } from './if-match';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof AppError ? error.code : 'not an AppError';
  }
};

describe('If-Match', () => {
  it('requires the header (428)', () => {
    expect(codeOf(() => parseIfMatch(undefined))).toBe('precondition-required');
    expect(codeOf(() => parseIfMatch('  '))).toBe('precondition-required');
  });

  it('reads strong tags, lists and *', () => {
    expect(parseIfMatch('"3"')).toEqual({ versions: [3] });
    expect(parseIfMatch('"3", "5"')).toEqual({ versions: [3, 5] });
    expect(parseIfMatch(['"3"', '"7"'])).toEqual({ versions: [3, 7] });
    expect(parseIfMatch('*')).toBe('any');
  });

  it('never matches weak or foreign tags (412)', () => {
    expect(codeOf(() => parseIfMatch('W/"3"'))).toBe('precondition-failed');
    expect(codeOf(() => parseIfMatch('"abc"'))).toBe('precondition-failed');
    expect(codeOf(() => parseIfMatch('3'))).toBe('precondition-failed');
  });

  it('passes the current version and refuses any other', () => {
    expect(codeOf(() => checkVersion('4', { versions: [4] }, 'partner'))).toBeUndefined();
    expect(codeOf(() => checkVersion(4, 'any', 'partner'))).toBeUndefined();
    expect(codeOf(() => checkVersion(5, { versions: [4] }, 'partner'))).toBe('precondition-failed');
    expect(etagOf(5)).toBe('"5"');
  });
});
