import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import type { Readable } from 'node:stream';
import { waitFor } from '@sp/testing';
import { CSV_RECORDS_PER_PIECE, csvRecord, csvStream } from './csv-stream';
import type { CsvColumn } from './exports.mapper';

type Item = { n: number; text: string | null };
const columns: CsvColumn<Item>[] = [
  { header: 'n', cell: (i) => i.n },
  { header: 'text', cell: (i) => i.text },
];

/** As a database stream hands them over: one at a time, asynchronously. */
async function* asAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  for (const item of items) yield await Promise.resolve(item);
}

/**
 * `count` items, each `size` characters of text, counting how many were taken and whether the
 * source was ended (its `finally`, where an export's transaction ends).
 */
function source(count: number, size = 10) {
  const seen = { pulled: 0, finished: false };
  function* items(): Generator<Item> {
    try {
      for (let n = 0; n < count; n++) {
        seen.pulled++;
        yield { n, text: `${n}`.padEnd(size, 'x') };
      }
    } finally {
      seen.finished = true;
    }
  }
  return { seen, items: asAsync(items()) };
}

const readAll = async (stream: Readable): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

describe('csvStream', () => {
  it('writes a BOM, the header and CRLF records, quoting what needs it, over several pieces', async () => {
    function* items(): Generator<Item> {
      yield { n: 1, text: 'comma, "quotes"\nand a line break' };
      yield { n: 2, text: null };
      yield { n: 3, text: '東京大学' };
      yield { n: 4, text: 'bare\nline break' };
      for (let n = 5; n <= 2 * CSV_RECORDS_PER_PIECE + 7; n++) yield { n, text: `t${n}` };
    }
    const bytes = await readAll(csvStream(columns, asAsync(items())));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    expect(
      text.startsWith('\uFEFFn,text\r\n1,"comma, ""quotes""\nand a line break"\r\n2,\r\n'),
    ).toBe(true);
    // A bare line break is quoted too (csv-stringify quotes only its own CRLF by default).
    expect(text).toContain('\r\n4,"bare\nline break"\r\n');
    const records = parse<Record<string, string>>(bytes, { bom: true, columns: true });
    expect(records).toHaveLength(2 * CSV_RECORDS_PER_PIECE + 7);
    expect(records[2]).toEqual({ n: '3', text: '東京大学' });
    expect(records.at(-1)).toEqual({
      n: String(2 * CSV_RECORDS_PER_PIECE + 7),
      text: `t${2 * CSV_RECORDS_PER_PIECE + 7}`,
    });
  });

  it('writes the header alone for no records', async () => {
    const { items, seen } = source(0);
    expect((await readAll(csvStream(columns, items))).toString('utf8')).toBe('\uFEFFn,text\r\n');
    expect(seen.finished).toBe(true);
  });

  it('takes records only as the reader reads: a paused reader stops the source', async () => {
    // 20,000 records of ≈ 1 KB: 20 MB if anything read ahead of the reader.
    const { items, seen } = source(20_000, 1000);
    const stream = csvStream(columns, items);
    const reader = stream[Symbol.asyncIterator]();
    const first = await reader.next();
    expect(first.done).toBe(false);
    // The reader now reads nothing: the stream fills its buffer to its limit, then stops asking.
    await waitFor(
      () => stream.readableLength >= stream.readableHighWaterMark,
      'the stream to fill its buffer',
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen.pulled).toBeLessThanOrEqual(3 * CSV_RECORDS_PER_PIECE);
    expect(seen.finished).toBe(false);

    // Reading on takes the rest, to the end of the source.
    let bytes = (first.value as Buffer).length;
    for (let next = await reader.next(); !next.done; next = await reader.next())
      bytes += (next.value as Buffer).length;
    expect(seen.pulled).toBe(20_000);
    expect(seen.finished).toBe(true);
    expect(bytes).toBeGreaterThan(20_000 * 1000);
  });

  it('ends the source when the reader goes away early', async () => {
    const { items, seen } = source(100_000);
    const stream = csvStream(columns, items);
    await new Promise((resolve) => stream.once('readable', resolve));
    stream.destroy();
    await new Promise((resolve) => stream.once('close', resolve));
    expect(seen.finished).toBe(true);
    expect(seen.pulled).toBeLessThan(100_000);
  });

  it('fails the stream with the error of the source', async () => {
    function* failing(): Generator<Item> {
      yield { n: 1, text: 'one' };
      throw new Error('the cursor broke');
    }
    await expect(readAll(csvStream(columns, asAsync(failing())))).rejects.toThrow(
      'the cursor broke',
    );
  });
});

describe('csvField and csvRecord', () => {
  const cell = fc.oneof(
    fc.constant(null),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ unit: fc.constantFrom('a', ' ', ',', '"', '\r', '\n', '東', '🙂', "'", '=') }),
    fc.string({ unit: 'grapheme' }),
  );

  it('writes what csv-stringify writes with the options the export used, for every kind of cell', () => {
    fc.assert(
      fc.property(fc.array(cell, { minLength: 1, maxLength: 8 }), (cells) => {
        const expected = stringify([cells.map((c) => c ?? '')], {
          record_delimiter: 'windows',
          quoted_match: /[\r\n]/,
        });
        expect(csvRecord(cells)).toBe(expected);
      }),
      { numRuns: 2_000 },
    );
  });

  it('reads back as the cells it was given', () => {
    fc.assert(
      fc.property(fc.array(cell, { minLength: 1, maxLength: 8 }), (cells) => {
        const records: string[][] = parse(csvRecord(cells));
        const [record] = records;
        expect(record).toEqual(cells.map((c) => (c === null ? '' : String(c))));
      }),
      { numRuns: 2_000 },
    );
  });
});
