import type { ImportRowError } from '@sp/types';
import { z } from 'zod';
import {
  cellValue,
  checkHeader,
  chunksOf,
  type ImportLayout,
  listErrors,
  type ListedErrors,
  type ReadBatch,
  readCsvBatches,
} from './csv-rows';

const layout: ImportLayout<{ title: string; year: number; open: boolean; tags: string[] }> = {
  schema: z
    .object({
      title: z.string().trim().min(1),
      year: z.number().int().min(2000),
      open: z.boolean().default(false),
      tags: z.array(z.string()).default([]),
    })
    .strict(),
  columns: [
    { header: 'title', required: true },
    { header: 'year', cell: 'number', required: true },
    { header: 'open', cell: 'boolean' },
    { header: 'tags', cell: 'list' },
  ],
};

type Layout = typeof layout extends ImportLayout<infer T> ? T : never;

/** Every batch of a file, and their rows, problems and counts put together. */
async function read(text: string | Buffer[], batchSize = 1000) {
  const batches: ReadBatch<Layout>[] = [];
  for await (const batch of readCsvBatches(
    typeof text === 'string' ? [Buffer.from(text)] : text,
    layout,
    batchSize,
  ))
    batches.push(batch);
  return {
    batches,
    rows: batches.flatMap((b) => b.rows),
    errors: batches.flatMap((b) => b.errors),
    total: batches.reduce((n, b) => n + b.size, 0),
    invalidRows: batches.reduce((n, b) => n + b.invalidRows, 0),
  };
}

describe('cellValue', () => {
  it('takes off the apostrophe our exports put before a formula, and no other', () => {
    expect(cellValue("'=1+1")).toBe('=1+1');
    expect(cellValue("'-3", 'number')).toBe(-3);
    expect(cellValue("'@a; b", 'list')).toEqual(['@a', 'b']);
    expect(cellValue("'Oxford")).toBe("'Oxford");
  });

  it('leaves an empty cell out, so the default applies', () => {
    expect(cellValue('  ')).toBeUndefined();
    expect(cellValue('', 'list')).toBeUndefined();
  });
  it('reads numbers, booleans and lists, and passes anything else through as text', () => {
    expect(cellValue(' 2024 ', 'number')).toBe(2024);
    expect(cellValue('-1.5', 'number')).toBe(-1.5);
    expect(cellValue('twenty', 'number')).toBe('twenty');
    expect(cellValue('Yes', 'boolean')).toBe(true);
    expect(cellValue('0', 'boolean')).toBe(false);
    expect(cellValue('maybe', 'boolean')).toBe('maybe');
    expect(cellValue('a; b ;;c', 'list')).toEqual(['a', 'b', 'c']);
    expect(cellValue(' 東京 ')).toBe(' 東京 ');
  });
});

describe('checkHeader', () => {
  it('names unknown, repeated and missing columns on line 1', () => {
    expect(checkHeader(layout, ['title', 'title', 'colour'])).toEqual([
      { line: 1, column: 'title', code: 'duplicate-column', message: 'appears twice' },
      expect.objectContaining({ line: 1, column: 'colour', code: 'unknown-column' }),
      expect.objectContaining({ line: 1, column: 'year', code: 'missing-column' }),
    ]);
    expect(checkHeader(layout, ['year', 'title'])).toEqual([]);
  });
});

describe('readCsvBatches', () => {
  it('reads valid rows with a BOM, quoted commas and newlines, and Japanese text', async () => {
    const result = await read(
      '\uFEFFtitle,year,open,tags\r\n"Tokyo, Hongo",2024,yes,a;b\r\n"東京大学\n本郷",2025,,\r\n',
    );
    expect(result.errors).toEqual([]);
    expect(result.rows).toEqual([
      { line: 2, value: { title: 'Tokyo, Hongo', year: 2024, open: true, tags: ['a', 'b'] } },
      { line: 3, value: { title: '東京大学\n本郷', year: 2025, open: false, tags: [] } },
    ]);
    expect(result.total).toBe(2);
  });

  it('reports every bad row by line and column, counting lines past multi-line cells and blank lines', async () => {
    const result = await read(
      [
        'title,year,open',
        '"two\nlines",2024,no',
        ',1999,no',
        '',
        'ok,2020,perhaps',
        'short,2020',
        'fine,2021,true',
      ].join('\n'),
    );
    expect(result.total).toBe(5);
    expect(result.invalidRows).toBe(3);
    expect(result.rows.map((r) => r.line)).toEqual([2, 8]);
    expect(result.errors.map(({ line, column, code }) => ({ line, column, code }))).toEqual([
      { line: 4, column: 'title', code: 'invalid_type' },
      { line: 4, column: 'year', code: 'too_small' },
      { line: 6, column: 'open', code: 'invalid_type' },
      { line: 7, column: null, code: 'column-count' },
    ]);
  });

  it('reads a row split across chunks, even inside a multi-byte character', async () => {
    const bytes = Buffer.from('title,year\n東京,2024\n');
    const chunks = [bytes.subarray(0, 12), bytes.subarray(12, 13), bytes.subarray(13)];
    const result = await read(chunks);
    expect(result.rows).toEqual([
      { line: 2, value: { title: '東京', year: 2024, open: false, tags: [] } },
    ]);
  });

  it('names text that is not UTF-8 (a Shift_JIS file) instead of importing mojibake', async () => {
    const shiftJis = Buffer.from([0x93, 0x8c, 0x8b, 0x9e]); // 東京 in Shift_JIS
    const result = await read([Buffer.from('title,year\n'), shiftJis, Buffer.from(',2024\n')]);
    expect(result.errors).toEqual([
      expect.objectContaining({ line: 2, column: 'title', code: 'not-utf8' }),
    ]);
    expect(result.rows).toEqual([]);
  });

  it('names a cell holding the NUL character, which Postgres cannot store', async () => {
    const result = await read('title,year\nok,2020\n"a\u0000b",2021\n');
    expect(result.errors).toEqual([
      expect.objectContaining({ line: 3, column: 'title', code: 'nul_character' }),
    ]);
    expect(result.rows.map((r) => r.line)).toEqual([2]);
  });

  it('stops at a bad header, and reports a broken file and an empty one', async () => {
    expect((await read('title,colour\nx,y\n')).errors).toEqual([
      expect.objectContaining({ line: 1, column: 'colour', code: 'unknown-column' }),
      expect.objectContaining({ line: 1, column: 'year', code: 'missing-column' }),
    ]);
    const broken = await read('title,year\nok,2020\n"open quote,2021\n');
    expect(broken.errors).toEqual([
      expect.objectContaining({ line: 3, column: null, code: 'malformed-csv' }),
    ]);
    // A quote after a cell's first character (csv-parse's INVALID_OPENING_QUOTE, whose code has
    // no CSV_ prefix: the fuzz suite's JSON body sent as text/csv answered 500).
    const quoted = await read('title,year\nok,2020\n{"a":"b"},2021\n');
    expect(quoted.errors).toEqual([
      expect.objectContaining({ line: 3, column: null, code: 'malformed-csv' }),
    ]);
    expect((await read('')).errors).toEqual([
      expect.objectContaining({ line: 1, code: 'empty-file' }),
    ]);
    expect((await read('title,year\n')).errors).toEqual([
      expect.objectContaining({ code: 'no-rows' }),
    ]);
  });

  it('yields the rows a batch at a time, pulling the file only as fast as batches are taken', async () => {
    const lines = ['title,year', ...Array.from({ length: 50_000 }, (_, i) => `row ${i},2020`)];
    lines[1001] = 'bad,1999';
    const bytes = Buffer.from(lines.join('\n'));
    let chunksRead = 0;
    const source = (function* () {
      for (const chunk of chunksOf(bytes, 1024)) {
        chunksRead++;
        yield chunk;
      }
    })();
    const batches = readCsvBatches(source, layout, 1000);
    const first = await batches.next();
    expect(first.value).toMatchObject({ size: 1000, invalidRows: 0 });
    // The first batch is out with the file read no further than the parser's buffers (64 KiB
    // of text, a chunk of records) ahead of it: about a tenth of this file.
    const chunks = Math.ceil(bytes.length / 1024);
    expect(chunksRead).toBeLessThan(chunks / 5);
    const second = await batches.next();
    expect(second.value).toMatchObject({ size: 1000, invalidRows: 1 });
    expect((second.value as ReadBatch<Layout>).errors).toEqual([
      expect.objectContaining({ line: 1002, column: 'year', code: 'too_small' }),
    ]);
    expect(chunksRead).toBeLessThan(chunks / 5);
    let last: ReadBatch<Layout> | undefined;
    let taken = 2;
    for await (const batch of { [Symbol.asyncIterator]: () => batches }) {
      taken++;
      last = batch;
    }
    expect(taken).toBe(50);
    expect(last!.rows.at(-1)).toEqual({
      line: 50_001,
      value: { title: 'row 49999', year: 2020, open: false, tags: [] },
    });
    expect(chunksRead).toBe(chunks);
  });

  it('stops reading the source when the reader stops early', async () => {
    const lines = ['title,year', ...Array.from({ length: 50_000 }, (_, i) => `row ${i},2020`)];
    const bytes = Buffer.from(lines.join('\n'));
    let chunksRead = 0;
    const source = (function* () {
      for (const chunk of chunksOf(bytes, 1024)) {
        chunksRead++;
        yield chunk;
      }
    })();
    for await (const batch of readCsvBatches(source, layout, 100)) {
      expect(batch.size).toBe(100);
      break;
    }
    expect(chunksRead).toBeLessThan(Math.ceil(bytes.length / 1024) / 5);
  });
});

describe('listErrors', () => {
  const error = (line: number): ImportRowError => ({
    line,
    column: 'year',
    code: 'too_small',
    message: 'x',
  });

  it('lists the first thousand problems in file order, then only marks the list truncated', () => {
    const list: ListedErrors = { errors: [], truncated: false };
    listErrors(list, [error(5), error(3)]);
    expect(list.errors.map((e) => e.line)).toEqual([3, 5]);
    listErrors(
      list,
      Array.from({ length: 997 }, (_, i) => error(10 + i)),
    );
    expect(list).toMatchObject({ truncated: false });
    listErrors(list, [error(2000), error(1999)]);
    expect(list.errors).toHaveLength(1000);
    expect(list.errors.at(-1)!.line).toBe(1999);
    expect(list.truncated).toBe(true);
    listErrors(list, [error(3000)]);
    expect(list.errors).toHaveLength(1000);
  });
});

describe('files built to exhaust memory (helper-48)', () => {
  it('refuses a header far wider than the layout with one problem, not one per column', async () => {
    const result = await read(`title,year${',x'.repeat(500)}\r\nA,2020\r\n`);
    expect(result.errors).toEqual([expect.objectContaining({ line: 1, code: 'too-many-columns' })]);
    const millions = await read([
      ...chunksOf(Buffer.from(`title,year${','.repeat(2_000_000)}\r\n`)),
    ]);
    expect(millions.errors).toEqual([
      expect.objectContaining({
        line: 1,
        code: 'malformed-csv',
        message: expect.stringMatching(/more than 1000 cells/),
      }),
    ]);
  });

  it('refuses a row of two million empty cells before the parser holds it', async () => {
    const result = await read([
      ...chunksOf(Buffer.from(`title,year\r\nA,2020\r\nB${','.repeat(2_000_000)}\r\n`)),
    ]);
    expect(result.errors).toEqual([expect.objectContaining({ line: 3, code: 'malformed-csv' })]);
    expect(result.invalidRows).toBe(1);
    // Commas inside quotes are data, however many.
    const quoted = await read(`title,year\r\n"${','.repeat(5_000)}",2020\r\n`);
    expect(quoted.errors).toEqual([]);
    expect(quoted.rows).toHaveLength(1);
  });
});
