import { joinPartialDate, partialDateSchema, splitPartialDate } from './partial-date';

describe('partial dates', () => {
  it.each([
    ['2016', '2016-01-01', 'year'],
    ['2023-01', '2023-01-01', 'month'],
    ['2017-09-25', '2017-09-25', 'day'],
    ['2024-02-29', '2024-02-29', 'day'],
  ] as const)(
    '%s is %s at %s precision, and shown as given again',
    (value, firstDay, precision) => {
      expect(splitPartialDate(value)).toEqual({ firstDay, precision });
      expect(joinPartialDate(firstDay, precision)).toBe(value);
      expect(partialDateSchema.safeParse(value).success).toBe(true);
    },
  );

  it.each(['2023-13', '2023-02-29', '2023-00', '16', '2016-1', '2016/01/01', '0999', ''])(
    'refuses %s',
    (value) => {
      expect(splitPartialDate(value)).toBeUndefined();
      expect(partialDateSchema.safeParse(value).success).toBe(false);
    },
  );
});
