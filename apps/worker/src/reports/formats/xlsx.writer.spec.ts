import { PassThrough, Writable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { setTimeout as delay } from 'node:timers/promises';
import { strFromU8, unzipSync } from 'fflate';
import * as XLSX from '@e965/xlsx';
import type { ReportDocument, ReportSection, Row, TableSection } from '../document';
import { columnLetters, createXlsxWriter, xlsxText, xlsxWriter } from './xlsx.writer';

const partners: Row[] = [
  { name: '東京大学', activities: 3, amount: '1234.50', signed: '2025-04-01', share: 0.25 },
  {
    name: 'チューリッヒ工科大学',
    activities: '12',
    amount: '0.125',
    signed: '2025-04',
    share: null,
  },
  { name: 'University of Toronto', activities: 0, amount: '-7', signed: null, share: 1 },
];

/** A code that compresses about as badly as real text does. */
const code = (i: number) => ((i * 2_654_435_761) >>> 0).toString(36).repeat(2);

function* activities(count: number): Generator<Row> {
  for (let i = 1; i <= count; i++) yield { id: i, title: `Activity ${i}`, code: code(i) };
}

function doc(sections: ReportSection[]): ReportDocument {
  return {
    title: 'Strategic Partnerships — fiscal year 2025',
    subtitle: '東京大学 international affairs',
    generatedAt: new Date('2026-04-01T00:00:00Z'),
    facts: [{ label: 'Fiscal year', value: '2025 (April–March)' }],
    sections,
  };
}

const partnerTable: ReportSection = {
  kind: 'table',
  name: 'partners',
  title: 'Partners',
  columns: [
    { key: 'name', header: 'Name', type: 'text', width: 30 },
    { key: 'activities', header: 'Activities', type: 'integer' },
    { key: 'amount', header: 'Amount', type: 'decimal' },
    { key: 'signed', header: 'Signed', type: 'date' },
    { key: 'share', header: 'Share', type: 'percent' },
  ],
  rows: partners,
};

const detail = (count: number): TableSection => ({
  kind: 'table',
  name: 'activities',
  title: 'Every activity',
  detail: true,
  columns: [
    { key: 'id', header: 'Id', type: 'integer' },
    { key: 'title', header: 'Title', type: 'text' },
    { key: 'code', header: 'Code', type: 'text' },
  ],
  rows: activities(count),
});

async function written(writer = xlsxWriter, sections: ReportSection[] = []) {
  const out = new PassThrough();
  const counts: number[] = [];
  const [, bytes] = await Promise.all([
    writer.write(doc(sections), out, (n) => counts.push(n)),
    buffer(out),
  ]);
  return { bytes, counts };
}

describe('xlsxWriter', () => {
  it('writes an About sheet and a typed sheet per section, read back by another library', async () => {
    const chart: ReportSection = {
      kind: 'chart',
      name: 'headline',
      title: 'Headline',
      bars: [
        { label: 'activities', value: 42 },
        { label: 'partners', value: 9 },
      ],
    };
    const clash: ReportSection = { ...partnerTable, name: 'Partners', rows: [] };
    const odd: ReportSection = {
      ...partnerTable,
      name: "'a/b:c*?[x]' and a name far too long",
      rows: [],
    };
    const { bytes, counts } = await written(createXlsxWriter({ maxRowsPerSheet: 10 }), [
      partnerTable,
      chart,
      detail(25),
      clash,
      odd,
    ]);

    // Read back with SheetJS (an independent reader), with number formats.
    const book = XLSX.read(bytes, { cellNF: true });
    expect(book.SheetNames).toEqual([
      'About',
      'partners',
      'headline',
      'activities',
      'activities (2)',
      'activities (3)',
      'Partners (2)',
      "a_b_c___x_' and a name far too",
    ]);
    const sheet = (name: string): unknown[][] =>
      XLSX.utils.sheet_to_json(book.Sheets[name]!, { header: 1, defval: null, raw: true });
    const cell = (name: string, address: string) => book.Sheets[name]![address] as XLSX.CellObject;

    expect(sheet('About')).toEqual([
      ['Title', 'Strategic Partnerships — fiscal year 2025'],
      ['Subtitle', '東京大学 international affairs'],
      ['Generated at', '2026-04-01T00:00:00.000Z'],
      ['Fiscal year', '2025 (April–March)'],
    ]);
    const april1 = (Date.UTC(2025, 3, 1) - Date.UTC(1899, 11, 30)) / 86_400_000;
    expect(sheet('partners')).toEqual([
      ['Name', 'Activities', 'Amount', 'Signed', 'Share'],
      ['東京大学', 3, 1234.5, new Date('2025-04-01T00:00:00Z'), 0.25],
      ['チューリッヒ工科大学', 12, 0.125, '2025-04', null],
      ['University of Toronto', 0, -7, null, 1],
    ]);
    // Numbers are number cells with their formats; a partial date is text.
    expect(cell('partners', 'B3')).toMatchObject({ t: 'n', v: 12, z: '#,##0' });
    expect(cell('partners', 'C2')).toMatchObject({ t: 'n', v: 1234.5, z: '#,##0.00' });
    expect(cell('partners', 'C3')).toMatchObject({ t: 'n', v: 0.125, z: '#,##0.000' });
    expect(cell('partners', 'D2')).toMatchObject({ t: 'n', v: april1, z: 'yyyy-mm-dd' });
    expect(cell('partners', 'D3')).toMatchObject({ t: 's', v: '2025-04' });
    expect(cell('partners', 'E2')).toMatchObject({ t: 'n', v: 0.25, z: '0.0%' });
    expect(sheet('headline')).toEqual([
      ['Label', 'Value'],
      ['activities', 42],
      ['partners', 9],
    ]);

    // The detail section continues past the (injected) sheet limit, each part with its header.
    expect(sheet('activities')).toHaveLength(11);
    expect(sheet('activities')[0]).toEqual(['Id', 'Title', 'Code']);
    expect(sheet('activities')[10]).toEqual([10, 'Activity 10', code(10)]);
    expect(sheet('activities (2)')[0]).toEqual(['Id', 'Title', 'Code']);
    expect(sheet('activities (2)')[1]).toEqual([11, 'Activity 11', code(11)]);
    expect(sheet('activities (3)').slice(1)).toHaveLength(5);
    expect(sheet('activities (3)')[5]).toEqual([25, 'Activity 25', code(25)]);
    // Table rows are counted; the About sheet and charts are not.
    expect(counts).toEqual([3 + 25]);

    // The file itself: frozen header rows, widths, bold header, number formats.
    const files = unzipSync(new Uint8Array(bytes));
    const xml = (path: string) => strFromU8(files[path]!);
    const partnersXml = xml('xl/worksheets/sheet2.xml');
    expect(partnersXml).toMatch(/<pane [^>]*ySplit="1"[^>]*state="frozen"/);
    expect(partnersXml).toMatch(/<col min="1" max="1" width="30"/);
    expect(xml('xl/worksheets/sheet5.xml')).toMatch(/state="frozen"/);
    const styles = xml('xl/styles.xml');
    expect(styles).toMatch(/<b\/>/);
  });

  it('writes rows its own way (markup, controls, wide rows, empty cells) that a reader reads back', async () => {
    const wide: ReportSection = {
      kind: 'table',
      name: 'wide',
      title: 'Wide',
      columns: [
        { key: 'text', header: 'Text', type: 'text' },
        { key: 'when', header: 'When', type: 'date' },
        ...Array.from({ length: 28 }, (_, i) => ({
          key: `n${i}`,
          header: `N${i}`,
          type: 'integer' as const,
        })),
      ],
      rows: [
        {
          text: 'a < b & "c" \'d\' >\u0001\u0000e\t日本 😀',
          when: '2026-03-31',
          ...Object.fromEntries(Array.from({ length: 28 }, (_, i) => [`n${i}`, i])),
        },
        { text: null, when: null, n27: 5 },
      ],
    };
    const { bytes } = await written(xlsxWriter, [wide]);
    const book = XLSX.read(bytes, { cellNF: true });
    const rows: unknown[][] = XLSX.utils.sheet_to_json(book.Sheets.wide!, {
      header: 1,
      defval: null,
      raw: true,
    });
    expect(rows[1]).toEqual([
      'a < b & "c" \'d\' >e\t日本 😀',
      new Date('2026-03-31T00:00:00Z'),
      ...Array.from({ length: 28 }, (_, i) => i),
    ]);
    expect(rows[2]).toEqual([null, null, ...Array.from({ length: 27 }, () => null), 5]);
    // Column 30 is AD; the date is a date-formatted number.
    expect(book.Sheets.wide!.AD3).toMatchObject({ t: 'n', v: 5, z: '#,##0' });
    expect(book.Sheets.wide!.B2).toMatchObject({ t: 'n', z: 'yyyy-mm-dd' });
  });

  it('names columns as Excel does, and escapes text for XML', () => {
    expect([0, 25, 26, 27, 701, 702].map(columnLetters)).toEqual([
      'A',
      'Z',
      'AA',
      'AB',
      'ZZ',
      'AAA',
    ]);
    expect(xlsxText('plain')).toBe('plain');
    expect(xlsxText('<&>"\'\u0000\u001f\u007f\t\n\r')).toBe('&lt;&amp;&gt;&quot;&apos;\t\n\r');
    // U+FFFE, U+FFFF and a surrogate without its pair are not XML either; an emoji's pair stays.
    expect(xlsxText('a\uFFFEb\uFFFFc\uD800d\uDC00e')).toBe('abcde');
    expect(xlsxText('<\uD83D\uDE00>')).toBe('&lt;\uD83D\uDE00&gt;');
  });

  it('reports its running total every 1,000 rows', async () => {
    const { counts } = await written(xlsxWriter, [detail(2_500)]);
    expect(counts).toEqual([1_000, 2_000, 2_500]);
  });

  it('rejects when the destination fails', async () => {
    const out = new Writable({
      write(_chunk, _encoding, callback) {
        callback(new Error('disk full'));
      },
    });
    await expect(xlsxWriter.write(doc([detail(5_000)]), out, () => undefined)).rejects.toThrow(
      'disk full',
    );
  });

  it('rejects when a row source fails mid-way, and destroys the output', async () => {
    const failing: ReportSection = {
      ...detail(0),
      rows: (async function* () {
        yield* activities(100);
        await Promise.resolve();
        throw new Error('cursor lost');
      })(),
    };
    const out = new PassThrough();
    out.resume();
    await expect(xlsxWriter.write(doc([failing]), out, () => undefined)).rejects.toThrow(
      'cursor lost',
    );
    expect(out.destroyed).toBe(true);
  });

  it('stops reading rows while the destination does not take what it wrote', async () => {
    let pulled = 0;
    const total = 100_000;
    const counted: ReportSection = {
      ...detail(0),
      rows: (function* () {
        for (const row of activities(total)) {
          pulled += 1;
          yield row;
        }
      })(),
    };
    // A destination that holds every write until released.
    const held: (() => void)[] = [];
    let open = false;
    const out = new Writable({
      write(_chunk, _encoding, callback) {
        if (open) callback();
        else held.push(() => callback());
      },
    });
    const writing = xlsxWriter.write(doc([counted]), out, () => undefined);

    // Wait until the writer stops pulling rows (none for 300 ms), or has pulled them all.
    let last = -1;
    while (pulled !== last && pulled < total) {
      last = pulled;
      await delay(300);
    }
    // Without backpressure exceljs would read every row into memory; with it, a bounded few.
    expect(pulled).toBeLessThan(30_000);

    open = true;
    for (const release of held.splice(0)) release();
    await writing;
    expect(pulled).toBe(total);
  });
});
