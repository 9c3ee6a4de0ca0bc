import type { FormAnswer, Registration, RegistrationFormField } from '@sp/types';
import { spreadsheetSafe } from '@sp/platform';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';

const answerText = (answer: FormAnswer | undefined): string =>
  answer === undefined
    ? ''
    : Array.isArray(answer)
      ? answer.join('; ')
      : typeof answer === 'boolean'
        ? answer
          ? 'yes'
          : 'no'
        : answer;

/**
 * The registration list as CSV for Excel: UTF-8 with a BOM (so Japanese names open right),
 * CRLF line ends, a header row, one column per form field (its English label, else Japanese).
 * Written as `items` are read (a stream): a failure while reading ends the download cut.
 */
export function registrationsCsv(
  form: readonly RegistrationFormField[],
  items: AsyncIterable<Registration> | Iterable<Registration>,
): Readable {
  const header = [
    'status',
    'waitlist position',
    'name',
    'email',
    'language',
    'partner id',
    'check-in code',
    ...form.map((f) => f.label.en ?? f.label.ja ?? f.key),
    'registered at',
    'confirmed at',
    'cancelled at',
    'attended at',
  ];
  async function* records(): AsyncGenerator<string[]> {
    yield header.map(spreadsheetSafe);
    for await (const r of items)
      yield [
        r.status,
        r.waitlistPosition === null ? '' : String(r.waitlistPosition),
        r.name,
        r.email,
        r.language,
        r.partnerId ?? '',
        r.checkInCode,
        ...form.map((f) => answerText(r.answers[f.key])),
        r.createdAt,
        r.confirmedAt ?? '',
        r.cancelledAt ?? '',
        r.attendedAt ?? '',
      ].map(spreadsheetSafe);
  }
  const csv = stringify({
    bom: true,
    record_delimiter: 'windows',
    // csv-stringify quotes a field holding its CRLF delimiter, not one with a bare LF or CR
    // (a free-text answer over two lines), which most readers take for a record end.
    quoted_match: /[\r\n]/,
  });
  // An error while reading destroys `csv`, which ends the response.
  pipeline(Readable.from(records()), csv).catch(() => undefined);
  return csv;
}
