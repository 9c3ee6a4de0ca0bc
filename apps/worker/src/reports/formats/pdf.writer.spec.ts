import { PassThrough, Writable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { setTimeout as delay } from 'node:timers/promises';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { Cell, ReportDocument, ReportSection, Row, TableSection } from '../document';
import { columnGroups, pdfWriter } from './pdf.writer';

function* items(count: number): Generator<Row> {
  for (let i = 1; i <= count; i++) {
    yield {
      item: `Item ${i}`,
      note: `A note on item ${i} `.repeat(i % 7 === 0 ? 12 : 1),
      count: i * 1000,
    };
  }
}

const partners: TableSection = {
  kind: 'table',
  name: 'partners',
  title: 'Primary strategic partners',
  columns: [
    { key: 'name', header: 'Partner', type: 'text', width: 30 },
    { key: 'activities', header: 'Activities', type: 'integer' },
    { key: 'funding', header: 'Funding (JPY)', type: 'decimal' },
    { key: 'change', header: 'Change', type: 'percent' },
  ],
  rows: [
    { name: '東京大学', activities: 12, funding: '1234567.50', change: 0.125 },
    { name: 'チューリッヒ工科大学', activities: '3', funding: '0.00', change: null },
  ],
};

const long = (count: number): TableSection => ({
  kind: 'table',
  name: 'items',
  title: 'Every item of the year',
  columns: [
    { key: 'item', header: 'Item heading', type: 'text', width: 14 },
    { key: 'note', header: 'Note heading', type: 'text', width: 40 },
    { key: 'count', header: 'Count heading', type: 'integer', width: 12 },
  ],
  rows: items(count),
});

/** A per-partner summary as wide as the fiscal-year report's: a label and 21 more columns. */
const LONG_EN = 'Ecole Polytechnique Federale de Lausanne'; // 40 characters
const LONG_JA = 'チューリッヒ工科大学'; // 10 characters
const FIGURES = [
  'Activities',
  'Joint research',
  'Education programme',
  'Mobility programme',
  'Joint symposium or workshop',
  'Funding',
  'Activities (previous year)',
  'Inbound students',
  'Inbound staff',
  'Outbound students',
  'Outbound staff',
  'Mobility total',
  'Mobility (previous year)',
  'Agreements signed',
  'Agreements expiring',
  'Funding applied (JPY)',
  'Funding awarded (JPY)',
  'Applications',
  'Awards',
  'Symposium speakers',
];
const wideRows = 80;
const wide: TableSection = {
  kind: 'table',
  name: 'partners',
  title: 'Per partner',
  columns: [
    { key: 'name', header: 'Partner', type: 'text', width: 40 },
    { key: 'nameJa', header: 'Partner (日本語)', type: 'text', width: 24 },
    ...FIGURES.map((header, c) => ({
      key: `f${c}`,
      header,
      type: c === 16 ? ('decimal' as const) : ('integer' as const),
    })),
  ],
  rows: Array.from({ length: wideRows }, (_, r): Row => ({
    name: r === 0 ? LONG_EN : r === 1 ? LONG_JA : `Partner ${r}`,
    nameJa: r === 0 ? LONG_JA : `大学${r}`,
    ...Object.fromEntries(FIGURES.map((_h, c) => [`f${c}`, figure(r, c)])),
  })),
};
/** Row r's value in figure column c: an integer, or (column 16) a decimal carried as a string. */
function figure(r: number, c: number): Cell {
  return c === 16 ? `${2_000_000 + r}.25` : 100_000 + r * 100 + c;
}
const squash = (text: string) => text.replace(/\s+/g, '');
const occurrences = (text: string, part: string) => text.split(part).length - 1;

function doc(sections: ReportSection[]): ReportDocument {
  return {
    title: 'Strategic Partnerships — fiscal year 2025',
    subtitle: '国際交流 annual report',
    generatedAt: new Date('2026-04-01T00:00:00Z'),
    facts: [
      { label: 'Fiscal year', value: '2025 (April–March)' },
      { label: 'Partners', value: '9' },
    ],
    sections,
  };
}

/** The text of each page, as pdf.js (an independent reader) extracts it. */
async function pageTexts(bytes: Buffer): Promise<string[]> {
  const pdf = await getDocument({ data: new Uint8Array(bytes), isEvalSupported: false }).promise;
  const pages: string[] = [];
  for (let n = 1; n <= pdf.numPages; n++) {
    const content = await (await pdf.getPage(n)).getTextContent();
    pages.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' '));
  }
  await pdf.destroy();
  return pages;
}

async function written(sections: ReportSection[]) {
  const out = new PassThrough();
  const counts: number[] = [];
  const [, bytes] = await Promise.all([
    pdfWriter.write(doc(sections), out, (n) => counts.push(n)),
    buffer(out),
  ]);
  return { bytes, counts, pages: await pageTexts(bytes) };
}

describe('pdfWriter', () => {
  it('writes a title page, the sections with repeated table headers, a chart and a detail note', async () => {
    const chart: ReportSection = {
      kind: 'chart',
      name: 'headline',
      title: 'Activities by type',
      bars: [
        { label: 'joint research', value: 4200 },
        { label: '教育プログラム', value: 17 },
      ],
    };
    const detail: TableSection = {
      ...long(5_000),
      name: 'all',
      title: 'All activities',
      detail: true,
    };
    const { bytes, counts, pages } = await written([partners, long(150), chart, detail]);

    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const first = pages[0]!;
    expect(first).toContain('Strategic Partnerships — fiscal year 2025');
    expect(first).toContain('国際交流 annual report');
    expect(first).toContain('2025 (April–March)');
    const all = pages.join('\n');
    for (const heading of [
      'Primary strategic partners',
      'Every item of the year',
      'Activities by type',
      'All activities',
    ]) {
      expect(all).toContain(heading);
    }
    // Japanese names come out exactly (the embedded font maps its glyphs back to text).
    expect(all).toContain('東京大学');
    expect(all).toContain('チューリッヒ工科大学');
    expect(all).toContain('教育プログラム');
    // Figures as a reader expects them.
    expect(all).toContain('1,234,567.50');
    expect(all).toContain('12.5%');
    expect(all).toContain('4,200');

    // The long table runs over several pages, each with its header row.
    const withRows = pages.filter((text) => /Item \d+/.test(text));
    expect(withRows.length).toBeGreaterThanOrEqual(3);
    for (const text of withRows) {
      expect(text).toContain('Item heading');
      expect(text).toContain('Count heading');
    }
    expect(all).toContain('Item 150');
    expect(all).toContain('150,000');

    // The detail listing is a note with its count, not 5,000 rows.
    expect(all).toContain('5,000 rows: see the XLSX or CSV of this report.');
    expect(all).not.toContain('Item 4999');
    expect(counts.at(-1)).toBe(2 + 150 + 5_000);

    // Page numbers at the foot; the font is embedded as a subset, not its 5.5 MB.
    expect(pages.at(-1)).toContain(String(pages.length));
    expect(bytes.includes('/FontFile2')).toBe(true);
    expect(bytes.length).toBeLessThan(400_000);
  });

  it('prints a table too wide for the page as column groups, each repeating the label column', async () => {
    const { counts, pages } = await written([wide]);
    const all = pages.join('\n');

    // The groups one after the other, under numbered headings.
    const headings = [...all.matchAll(/Per partner \((\d+) of (\d+)\)/g)];
    const groups = Number(headings[0]?.[2]);
    expect(groups).toBeGreaterThanOrEqual(2);
    for (let n = 1; n <= groups; n++) expect(all).toContain(`Per partner (${n} of ${groups})`);

    // Every header and every value prints, whole (no cell cut with an ellipsis).
    const flat = squash(all);
    for (const column of wide.columns) expect(flat).toContain(squash(column.header));
    for (let r = 0; r < wideRows; r++) {
      for (let c = 0; c < FIGURES.length; c++) {
        const value = Number(figure(r, c));
        expect(flat).toContain(
          value.toLocaleString('en-US', { minimumFractionDigits: c === 16 ? 2 : 0 }),
        );
      }
    }
    expect(all).not.toContain('…');

    // The long names print whole, the label column once in each group.
    expect(occurrences(flat, squash(LONG_EN))).toBe(groups);
    expect(occurrences(flat, LONG_JA)).toBe(groups + 1);
    expect(occurrences(flat, 'Partner79')).toBe(groups);

    // Each page of a group repeats its header row; rows are counted once, not per group.
    const withRows = pages.filter((t) => /Partner \d+/.test(t));
    expect(withRows.length).toBeGreaterThanOrEqual(2 * groups);
    for (const text of withRows)
      expect(text).toMatch(/Per partner \(\d+ of \d+\)( \(continued\))?\s+Partner\s/);
    expect(pages.filter((t) => t.includes('(continued)')).length).toBeGreaterThanOrEqual(groups);
    expect(counts.at(-1)).toBe(wideRows);
    expect(pages.at(-1)).toContain(String(pages.length));
  });

  it('prints names in every script the faces cover: Turkish, Polish, Czech, Korean, Greek', async () => {
    const names = [
      'Boğaziçi Üniversitesi',
      'Łukasz Wąsik, Łódź',
      'Čeněk Řehoř',
      '김민준 (서울대학교)',
      'Αθήνα',
      '東京大学',
    ];
    const table: TableSection = {
      kind: 'table',
      name: 'people',
      title: 'Contacts — Boğaziçi',
      columns: [{ key: 'name', header: 'Name', type: 'text', width: 30 }],
      rows: names.map((name) => ({ name })),
    };
    const chart: ReportSection = {
      kind: 'chart',
      name: 'bars',
      title: 'Bars',
      bars: [{ label: 'Sabancı Üniversitesi', value: 3 }],
    };
    const out = new PassThrough();
    const [, bytes] = await Promise.all([
      pdfWriter.write(
        { ...doc([table, chart]), facts: [{ label: 'Contact', value: '이서연' }] },
        out,
        () => undefined,
      ),
      buffer(out),
    ]);
    const text = (await pageTexts(bytes)).join('\n');
    // A glyph the face lacks comes out of pdf.js as U+0000 (it did for ğ, ł, Hangul).
    expect(text).not.toContain('\u0000');
    for (const name of [...names, 'Contacts — Boğaziçi', 'Sabancı Üniversitesi', '이서연'])
      expect(text).toContain(name);
  });

  it('gives each fact its own line, an empty one too (it printed over the next)', async () => {
    const facts = ['Region', 'City', 'Website', 'Status'];
    const out = new PassThrough();
    const [, bytes] = await Promise.all([
      pdfWriter.write(
        {
          ...doc([]),
          facts: [
            { label: 'Region', value: '' },
            { label: 'City', value: 'Zurich' },
            { label: 'Website', value: '' },
            { label: 'Status', value: 'primary' },
          ],
        },
        out,
        () => undefined,
      ),
      buffer(out),
    ]);
    const pdf = await getDocument({ data: new Uint8Array(bytes), isEvalSupported: false }).promise;
    const items = (await (await pdf.getPage(1)).getTextContent()).items.flatMap((item) =>
      'str' in item ? [{ text: item.str, y: item.transform[5] as number }] : [],
    );
    await pdf.destroy();
    const ys = facts.map((label) => items.find((i) => i.text.startsWith(`${label}:`))?.y);
    expect(ys.every((y) => y !== undefined)).toBe(true);
    for (let i = 1; i < ys.length; i++) expect(ys[i - 1]! - ys[i]!).toBeGreaterThan(10);
    expect(items.map((i) => i.text)).toContain('—');
  });

  it('rejects when the destination fails', async () => {
    const out = new Writable({
      write(_chunk, _encoding, callback) {
        callback(new Error('disk full'));
      },
    });
    await expect(pdfWriter.write(doc([long(500)]), out, () => undefined)).rejects.toThrow(
      'disk full',
    );
  });

  it('rejects when a row source fails mid-way, and destroys the output', async () => {
    const failing: TableSection = {
      ...long(0),
      rows: (async function* () {
        yield* items(50);
        await Promise.resolve();
        throw new Error('cursor lost');
      })(),
    };
    const out = new PassThrough();
    out.resume();
    await expect(pdfWriter.write(doc([failing]), out, () => undefined)).rejects.toThrow(
      'cursor lost',
    );
    expect(out.destroyed).toBe(true);
  });

  it('stops reading rows while the destination does not take what it wrote', async () => {
    let pulled = 0;
    const total = 20_000;
    const counted: TableSection = {
      ...long(0),
      rows: (function* () {
        for (const row of items(total)) {
          pulled += 1;
          yield row;
        }
      })(),
    };
    const held: ((error?: Error) => void)[] = [];
    const out = new Writable({
      write(_chunk, _encoding, callback) {
        held.push(callback);
      },
    });
    const writing = pdfWriter.write(doc([counted]), out, () => undefined);
    writing.catch(() => undefined);

    let last = -1;
    while (pulled !== last && pulled < total) {
      last = pulled;
      await delay(300);
    }
    expect(pulled).toBeLessThan(10_000);

    // Let the destination fail now: the writer stops and says so.
    for (const callback of held.splice(0)) callback(new Error('gone'));
    await expect(writing).rejects.toThrow('gone');
  });

  it('packs columns into groups that fit, each starting with the label column', () => {
    expect(columnGroups([100, 50, 50], 300)).toEqual([
      { columns: [0, 1, 2], widths: [150, 75, 75] },
    ]);
    const groups = columnGroups([150, 100, 100, 100, 100, 200], 400);
    expect(groups.map((g) => g.columns)).toEqual([
      [0, 1, 2],
      [0, 3, 4],
      [0, 5],
    ]);
    for (const group of groups) {
      expect(group.widths.reduce((a, b) => a + b, 0)).toBeCloseTo(400);
      expect(group.widths[0]).toBeGreaterThanOrEqual(150);
    }
    // A column wider than the room beside the label still gets a group of its own.
    expect(columnGroups([100, 500], 400).map((g) => g.columns)).toEqual([[0, 1]]);
  });
});
