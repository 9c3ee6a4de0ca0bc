import { PassThrough, Writable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { parse } from 'csv-parse/sync';
import type { ReportDocument } from '../document';
import { csvWriter } from './csv.writer';

function doc(rows: number): ReportDocument {
  return {
    title: 'Test report',
    generatedAt: new Date('2026-04-01T00:00:00Z'),
    facts: [{ label: 'fiscal year', value: '2025' }],
    sections: (function* () {
      yield {
        kind: 'table' as const,
        name: 'partners',
        title: 'Partners',
        columns: [
          { key: 'name', header: 'Name', type: 'text' as const },
          { key: 'count', header: 'Activities', type: 'integer' as const },
          { key: 'amount', header: 'Amount', type: 'decimal' as const },
        ],
        rows: (function* () {
          for (let i = 0; i < rows; i++)
            yield { name: i === 0 ? '東京大学, "Todai"' : `P${i}`, count: i, amount: '1.50' };
        })(),
      };
      yield {
        kind: 'chart' as const,
        name: 'headline',
        title: 'Headline',
        bars: [{ label: 'activities', value: 3 }],
      };
    })(),
  };
}

describe('csvWriter', () => {
  it('writes every section with its header, a BOM and CRLF, and counts rows', async () => {
    const out = new PassThrough();
    const counts: number[] = [];
    const [, bytes] = await Promise.all([
      csvWriter.write(doc(2_500), out, (n) => counts.push(n)),
      buffer(out),
    ]);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const body = bytes.toString('utf8');
    expect(body).toContain('\r\n');
    const records: string[][] = parse(body.slice(1), { relax_column_count: true });
    expect(records[1]).toEqual(['about', 'title', 'Test report']);
    expect(records).toContainEqual(['about', 'fiscal year', '2025']);
    expect(records).toContainEqual(['section', 'Name', 'Activities', 'Amount']);
    expect(records).toContainEqual(['partners', '東京大学, "Todai"', '0', '1.50']);
    expect(records.filter((r) => r[0] === 'partners')).toHaveLength(2_500);
    expect(records).toContainEqual(['headline', 'activities', '3']);
    expect(counts).toEqual([1_000, 2_000, 2_500]);
  });

  it('quotes a field holding a bare line break, so it stays one record', async () => {
    const out = new PassThrough();
    const lines: ReportDocument = {
      title: 'Line breaks',
      generatedAt: new Date('2026-04-01T00:00:00Z'),
      facts: [],
      sections: [
        {
          kind: 'table',
          name: 'notes',
          title: 'Notes',
          columns: [{ key: 'text', header: 'Text', type: 'text' }],
          rows: [{ text: 'one\ntwo' }, { text: 'three\rfour' }],
        },
      ],
    };
    const [, bytes] = await Promise.all([
      csvWriter.write(lines, out, () => undefined),
      buffer(out),
    ]);
    const text = bytes.toString('utf8');
    // Quoted: a reader that ends records at any line break (many do) still sees one record.
    expect(text).toContain('notes,"one\ntwo"\r\nnotes,"three\rfour"\r\n');
    const records: string[][] = parse(text.slice(1), { relax_column_count: true });
    expect(records.filter((r) => r[0] === 'notes')).toEqual([
      ['notes', 'one\ntwo'],
      ['notes', 'three\rfour'],
    ]);
  });

  it('puts an apostrophe before text a spreadsheet would run, never before a number', async () => {
    const out = new PassThrough();
    const formulas: ReportDocument = {
      title: '=Title',
      generatedAt: new Date('2026-04-01T00:00:00Z'),
      facts: [{ label: 'Partner', value: '@partner' }],
      sections: [
        {
          kind: 'table',
          name: 'rows',
          title: 'Rows',
          columns: [
            { key: 'text', header: 'Text', type: 'text' },
            { key: 'amount', header: 'Amount', type: 'decimal' },
          ],
          rows: [{ text: '=HYPERLINK("https://evil.example")', amount: '-1.50' }],
        },
        { kind: 'chart', name: 'bars', title: 'Bars', bars: [{ label: '+bar', value: -2 }] },
      ],
    };
    const [, bytes] = await Promise.all([
      csvWriter.write(formulas, out, () => undefined),
      buffer(out),
    ]);
    const records: string[][] = parse(bytes.toString('utf8').slice(1), {
      relax_column_count: true,
    });
    expect(records).toContainEqual(['about', 'title', "'=Title"]);
    expect(records).toContainEqual(['about', 'Partner', "'@partner"]);
    expect(records).toContainEqual(['rows', `'=HYPERLINK("https://evil.example")`, '-1.50']);
    expect(records).toContainEqual(['bars', "'+bar", '-2']);
  });

  it('rejects when the destination fails', async () => {
    const out = new Writable({
      write(_chunk, _enc, callback) {
        callback(new Error('disk full'));
      },
    });
    await expect(csvWriter.write(doc(10), out, () => undefined)).rejects.toThrow('disk full');
  });
});
