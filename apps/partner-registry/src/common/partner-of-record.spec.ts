import { AppError } from '@sp/platform';
import { partnerOfRecord } from './partner-of-record';

const a = '11111111-1111-4111-8111-111111111111';
const b = '22222222-2222-4222-8222-222222222222';

const fieldOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? error.errors?.map((e) => e.field) : 'not an AppError';
  }
  return 'no error';
};

describe('partnerOfRecord', () => {
  it('gives a partner its own partner, named or not', () => {
    expect(partnerOfRecord(undefined, a)).toBe(a);
    expect(partnerOfRecord(a, a)).toBe(a);
  });
  it('refuses a partner writing for another, naming partnerId', () => {
    expect(fieldOf(() => partnerOfRecord(b, a))).toEqual(['partnerId']);
  });
  it('takes the partner staff name, and requires one', () => {
    expect(partnerOfRecord(b, null)).toBe(b);
    expect(fieldOf(() => partnerOfRecord(undefined, null))).toEqual(['partnerId']);
  });
});
