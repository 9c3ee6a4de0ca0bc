import fc from 'fast-check';
import { stringify } from 'csv-stringify/sync';
import { CrlfRecords } from './crlf-records';

function convert(chunks: string[]) {
  const crlf = new CrlfRecords();
  let records = 0;
  const out = chunks.map((c) => {
    const converted = crlf.convert(Buffer.from(c));
    records += crlf.takeRecords();
    return converted.toString();
  });
  return { text: out.join(''), records };
}

describe('CrlfRecords', () => {
  it('ends records CRLF and leaves a line break inside quotes alone, across chunk edges', () => {
    const lf = 'a,"x\ny ""q"""\nb,c\n';
    expect(convert([lf])).toEqual({ text: 'a,"x\ny ""q"""\r\nb,c\r\n', records: 2 });
    // Split at every position: the quoted state carries over.
    for (let i = 1; i < lf.length; i++) {
      expect(convert([lf.slice(0, i), lf.slice(i)])).toEqual(convert([lf]));
    }
  });

  it('gives what csv-stringify writes with CRLF, for every set of records and every chunking', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r', 'é', '日', ' ') });
    fc.assert(
      fc.property(
        fc.array(fc.array(cell, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        (records, cuts) => {
          // Postgres quotes a field holding a quote, comma, CR or LF (csv-stringify, told to).
          const lf = stringify(records, { record_delimiter: 'unix', quoted_match: /[\r\n]/ });
          const bytes = Buffer.from(lf);
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort(
            (x, y) => x - y,
          );
          const crlf = new CrlfRecords();
          let at = 0;
          let text = '';
          let n = 0;
          for (const p of [...points, bytes.length]) {
            text += crlf.convert(bytes.subarray(at, p)).toString('latin1');
            n += crlf.takeRecords();
            at = p;
          }
          expect(Buffer.from(text, 'latin1').toString()).toBe(
            stringify(records, { record_delimiter: 'windows', quoted_match: /[\r\n]/ }),
          );
          expect(n).toBe(records.length);
        },
      ),
    );
  });
});
