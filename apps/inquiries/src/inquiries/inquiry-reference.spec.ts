import { formatReference, referenceInSubject } from './inquiry-reference';

describe('inquiry references', () => {
  it('pads the number to six digits after the year', () => {
    expect(formatReference(2026, 1)).toBe('INQ-2026-000001');
    expect(formatReference(2026, 123)).toBe('INQ-2026-000123');
    expect(formatReference(2027, 999_999)).toBe('INQ-2027-999999');
  });

  it('refuses a number outside one to 999999', () => {
    expect(() => formatReference(2026, 1_000_000)).toThrow('no inquiry references left');
    expect(() => formatReference(2026, 0)).toThrow('no inquiry references left');
  });

  it('finds the reference in a reply subject, whatever the case and around it', () => {
    expect(referenceInSubject('Re: We received your inquiry INQ-2026-000123')).toBe(
      'INQ-2026-000123',
    );
    expect(referenceInSubject('Re: お問い合わせ（inq-2026-000042）')).toBe('INQ-2026-000042');
    expect(referenceInSubject('Re: INQ-2026-12345 (too short)')).toBeNull();
    expect(referenceInSubject('Hello')).toBeNull();
  });
});
