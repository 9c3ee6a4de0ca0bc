import { AppError } from '@sp/platform';
import { checkHasText, mergeBilingual, toBilingual } from './bilingual';

describe('bilingual texts', () => {
  it('stores a language left out as null', () => {
    expect(toBilingual({ ja: '第七回' })).toEqual({ en: null, ja: '第七回' });
    expect(toBilingual(undefined)).toEqual({ en: null, ja: null });
  });

  it('merges a change language by language: given replaces, null removes, absent keeps', () => {
    const stored = { en: 'Report', ja: '報告書' };
    expect(mergeBilingual(stored, { en: 'Final report' })).toEqual({
      en: 'Final report',
      ja: '報告書',
    });
    expect(mergeBilingual(stored, { ja: null })).toEqual({ en: 'Report', ja: null });
    expect(mergeBilingual(stored, {})).toEqual(stored);
  });

  it('refuses a required text left with neither language, naming the field', () => {
    expect(() => checkHasText({ en: 'x', ja: null }, 'title')).not.toThrow();
    try {
      checkHasText({ en: null, ja: null }, 'title');
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('validation-error');
      expect((error as AppError).errors?.[0]?.field).toBe('title');
    }
  });
});
