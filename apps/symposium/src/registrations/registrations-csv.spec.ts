import type { Registration } from '@sp/types';
import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { parse } from 'csv-parse/sync';
import { registrationsCsv } from './registrations-csv';

/** The stream's bytes as text, the BOM kept (a TextDecoder would drop it). */
const text = async (stream: Readable) => (await buffer(stream)).toString('utf8');

const registration = (overrides: Partial<Registration>): Registration => ({
  id: '00000000-0000-4000-8000-000000000001',
  symposiumId: '00000000-0000-4000-8000-000000000002',
  partnerId: null,
  name: '山田 花子',
  email: 'hanako@example.jp',
  language: 'ja',
  answers: {},
  status: 'confirmed',
  waitlistPosition: null,
  checkInCode: 'ABCDEFGH',
  createdAt: '2027-01-01T00:00:00.000Z',
  confirmedAt: '2027-01-01T00:00:00.000Z',
  cancelledAt: null,
  attendedAt: null,
  ...overrides,
});

it('writes UTF-8 with a BOM, a column per form field, and defuses formulas', async () => {
  const csv = await text(
    registrationsCsv(
      [
        {
          key: 'dietary',
          type: 'multiselect',
          label: { en: 'Dietary needs' },
          required: false,
          options: [
            { value: 'vegan', label: { en: 'Vegan' } },
            { value: 'halal', label: { en: 'Halal' } },
          ],
        },
      ],
      [
        registration({ answers: { dietary: ['vegan', 'halal'] } }),
        registration({
          name: '=HYPERLINK("http://evil")',
          status: 'waitlisted',
          waitlistPosition: 1,
        }),
      ],
    ),
  );
  expect(csv.startsWith('\uFEFF')).toBe(true);
  const rows = parse(csv.slice(1));
  expect(rows[0]).toContain('Dietary needs');
  expect(rows[1]).toContain('山田 花子');
  expect(rows[1]).toContain('vegan; halal');
  expect(rows[2]?.[2]).toBe(`'=HYPERLINK("http://evil")`);
  expect(rows[2]?.[1]).toBe('1');
});

it('quotes an answer over two lines, so it stays one record', async () => {
  const csv = await text(
    registrationsCsv(
      [{ key: 'note', type: 'text', label: { en: 'Note' }, required: false }],
      [registration({ answers: { note: 'first line\nsecond line' } })],
    ),
  );
  expect(csv).toContain('"first line\nsecond line"');
  expect(parse(csv.slice(1))).toHaveLength(2);
});
