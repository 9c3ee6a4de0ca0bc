import type { ReportViews } from '@sp/db';
import type { BusinessHours } from '@sp/platform/core';
import { inquiryCategories, type InquiryCategory } from '@sp/types';
import { sql } from 'kysely';
import type { ReportSection, Row, TableSection } from '../document';
import type { ReportKindDefinition } from '../kind';
import {
  col,
  monthsOf,
  nextMonth,
  STREAM_CHUNK,
  tokyoMonthStart,
  type ViewsReader,
} from './report-figures';

/**
 * Inquiry statistics per Tokyo month and category over `from`..`to`: of the inquiries received
 * in the month, how many, how many are resolved, the median time to the first public reply and
 * to resolution in business hours (the desk's own definition, `@sp/platform` `businessHours`,
 * the one the SLAs use), and the SLA breaches recorded for them. Duplicates merged into
 * another inquiry are left out (the question is counted once, as the inquiry kept).
 */
export function inquiryStatisticsKind(
  hours: BusinessHours,
): ReportKindDefinition<'inquiry-statistics', ReportViews> {
  return {
    kind: 'inquiry-statistics',

    partnerOf: () => null,

    estimateRows(_db, { from, to }) {
      // One row per month and category, plus the per-category totals and the chart.
      return Promise.resolve(
        monthsOf(from, to).length * (inquiryCategories.length + 1) + inquiryCategories.length,
      );
    },

    async build(db, { from, to }, ctx) {
      const months = monthsOf(from, to);
      const cells = await collect(db, hours, from, to);
      const all = new Cell();
      for (const cell of cells.values()) all.add(cell);
      return {
        title: `Inquiry statistics — ${from} to ${to}`,
        subtitle:
          'Months and business hours in Asia/Tokyo (weekdays 9:00–17:00, without holidays and closure days)',
        generatedAt: ctx.now,
        facts: [
          { label: 'Period', value: `${from} – ${to} (Tokyo months)` },
          { label: 'Received', value: String(all.received) },
          { label: 'Resolved', value: String(all.resolved) },
          {
            label: 'Median first response (business hours)',
            value: all.medianFirstResponse() ?? '',
          },
          { label: 'Median resolution (business hours)', value: all.medianResolution() ?? '' },
          {
            label: 'SLA breaches',
            value: String(all.firstResponseBreaches + all.resolutionBreaches),
          },
          {
            label: 'Counting rules',
            value:
              'Each figure is about the inquiries received in the month (Tokyo time), whenever they were answered or resolved; merged duplicates are left out.',
          },
        ],
        sections: sections(months, cells),
      };
    },

    fileName: ({ from, to }) => `inquiry-statistics-${from}-${to}`,
  };
}

/** The figures of one month and category (or any grouping of them). */
class Cell {
  received = 0;
  resolved = 0;
  firstResponseBreaches = 0;
  resolutionBreaches = 0;
  readonly firstResponseMinutes: number[] = [];
  readonly resolutionMinutes: number[] = [];

  add(other: Cell): void {
    this.received += other.received;
    this.resolved += other.resolved;
    this.firstResponseBreaches += other.firstResponseBreaches;
    this.resolutionBreaches += other.resolutionBreaches;
    for (const m of other.firstResponseMinutes) this.firstResponseMinutes.push(m);
    for (const m of other.resolutionMinutes) this.resolutionMinutes.push(m);
  }

  medianFirstResponse(): string | null {
    return medianHours(this.firstResponseMinutes);
  }

  medianResolution(): string | null {
    return medianHours(this.resolutionMinutes);
  }

  row(): Row {
    return {
      received: this.received,
      resolved: this.resolved,
      medianFirstResponseHours: this.medianFirstResponse(),
      medianResolutionHours: this.medianResolution(),
      firstResponseBreaches: this.firstResponseBreaches,
      resolutionBreaches: this.resolutionBreaches,
    };
  }
}

/** The median of business minutes, as hours with two decimals; null for none. */
export function medianHours(minutes: readonly number[]): string | null {
  if (minutes.length === 0) return null;
  const sorted = [...minutes].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return (Math.round((median / 60) * 100) / 100).toFixed(2);
}

const key = (month: string, category: string) => `${month} ${category}`;

/** Streams the period's inquiries once and folds them into cells by month and category. */
async function collect(
  db: ViewsReader,
  hours: BusinessHours,
  from: string,
  to: string,
): Promise<Map<string, Cell>> {
  const cells = new Map<string, Cell>();
  const rows = db
    .selectFrom('inquiries.reportInquiries as i')
    .select((eb) => [
      'i.category',
      'i.createdAt',
      'i.firstResponseAt',
      'i.resolvedAt',
      sql<string>`to_char(i.created_at at time zone 'Asia/Tokyo', 'YYYY-MM')`.as('month'),
      eb
        .selectFrom('inquiries.reportSlaBreaches as b')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('b.inquiryId', '=', 'i.id')
        .where('b.kind', '=', 'first-response')
        .as('firstResponseBreaches'),
      eb
        .selectFrom('inquiries.reportSlaBreaches as b')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('b.inquiryId', '=', 'i.id')
        .where('b.kind', '=', 'resolution')
        .as('resolutionBreaches'),
    ])
    .where('i.merged', '=', false)
    .where('i.createdAt', '>=', tokyoMonthStart(from))
    .where('i.createdAt', '<', tokyoMonthStart(nextMonth(to)))
    .stream(STREAM_CHUNK);
  for await (const r of rows) {
    const k = key(r.month, r.category);
    let cell = cells.get(k);
    if (!cell) cells.set(k, (cell = new Cell()));
    cell.received += 1;
    if (r.resolvedAt) {
      cell.resolved += 1;
      cell.resolutionMinutes.push(hours.businessMinutesBetween(r.createdAt, r.resolvedAt));
    }
    if (r.firstResponseAt)
      cell.firstResponseMinutes.push(hours.businessMinutesBetween(r.createdAt, r.firstResponseAt));
    cell.firstResponseBreaches += r.firstResponseBreaches ?? 0;
    cell.resolutionBreaches += r.resolutionBreaches ?? 0;
  }
  return cells;
}

const figureColumns = [
  col('received', 'Received', 'integer'),
  col('resolved', 'Resolved', 'integer'),
  col('medianFirstResponseHours', 'Median first response (business hours)', 'decimal', 14),
  col('medianResolutionHours', 'Median resolution (business hours)', 'decimal', 14),
  col('firstResponseBreaches', 'First-response SLA breaches', 'integer'),
  col('resolutionBreaches', 'Resolution SLA breaches', 'integer'),
];

function* sections(months: string[], cells: Map<string, Cell>): Generator<ReportSection> {
  yield {
    kind: 'table',
    name: 'by-month',
    title: 'Per month and category',
    columns: [
      col('month', 'Month', 'date'),
      col('category', 'Category', 'text', 22),
      ...figureColumns,
    ],
    rows: (function* (): Generator<Row> {
      for (const month of months)
        for (const category of inquiryCategories)
          yield { month, category, ...(cells.get(key(month, category)) ?? new Cell()).row() };
    })(),
  } satisfies TableSection;
  const byCategory = new Map<InquiryCategory, Cell>(inquiryCategories.map((c) => [c, new Cell()]));
  const byMonth = new Map<string, number>(months.map((m) => [m, 0]));
  for (const [k, cell] of cells) {
    const [month = '', category = ''] = k.split(' ');
    byCategory.get(category as InquiryCategory)?.add(cell);
    byMonth.set(month, (byMonth.get(month) ?? 0) + cell.received);
  }
  yield {
    kind: 'table',
    name: 'by-category',
    title: 'Per category, whole period',
    columns: [col('category', 'Category', 'text', 22), ...figureColumns],
    rows: inquiryCategories.map((category) => ({
      category,
      ...(byCategory.get(category) ?? new Cell()).row(),
    })),
  } satisfies TableSection;
  yield {
    kind: 'chart',
    name: 'chart-received',
    title: 'Inquiries received per month',
    bars: months.map((month) => ({ label: month, value: byMonth.get(month) ?? 0 })),
  };
}
