import type { ReportViews } from '@sp/db';
import { activityTypes, type ActivityType } from '@sp/types';
import { sql } from 'kysely';
import type { ChartSection, ReportSection, Row, TableSection } from '../document';
import type { ReportKindDefinition } from '../kind';
import { readAhead } from '../build/read-ahead';
import { changeOf, col, fiscalYearDates, STREAM_CHUNK, type ViewsReader } from './report-figures';

/**
 * The fiscal-year partnership report (Japanese fiscal year, April–March, Tokyo dates): per
 * partner the activities by type, mobility in and out by person group, agreements signed and
 * expiring, and external funding applied and awarded per currency; the programme's totals with
 * the change on the year before; headline charts; then every activity and every mobility record
 * of the year (the detail listings, streamed from a cursor).
 *
 * Definitions (the facts on the title page repeat them):
 * - an activity counts in each fiscal year its dated period touches (`starts_on` … `ends_on`;
 *   an open-ended one in the year it starts); cancelled and undated ones do not count;
 * - mobility and funding carry their fiscal year;
 * - "applied" is every bid of the year (whatever came of it), "awarded" the awarded ones; amounts
 *   are summed in SQL `numeric` per currency and carried as exact strings, never added across
 *   currencies;
 * - agreements count by the day signed / the day they expire falling in the year.
 */

type Figures = {
  activities: number;
  byType: Record<ActivityType, number>;
  inboundStudents: number;
  inboundStaff: number;
  outboundStudents: number;
  outboundStaff: number;
  agreementsSigned: number;
  agreementsExpiring: number;
};

type PartnerFigures = {
  id: string;
  nameEn: string;
  nameJa: string | null;
  country: string;
  status: string;
};

const camel = (type: string): string =>
  type.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const typeKey = (type: ActivityType): string => `type${camel(`-${type}`)}`;

const typeLabels: Record<ActivityType, string> = {
  'joint-research': 'Joint research',
  'education-programme': 'Education programme',
  'mobility-programme': 'Mobility programme',
  'joint-symposium': 'Joint symposium/workshop',
  'funding-bid': 'Funding bid',
  other: 'Other',
};

const mobilityKeys = [
  ['inboundStudents', 'inbound', 'student', 'Inbound students'],
  ['inboundStaff', 'inbound', 'staff', 'Inbound staff'],
  ['outboundStudents', 'outbound', 'student', 'Outbound students'],
  ['outboundStaff', 'outbound', 'staff', 'Outbound staff'],
] as const;

/** The activity filter of one fiscal year (shared by the figures and the detail listing). */
const activityInYear = (fiscalYear: number, alias = '') => {
  const { from, to } = fiscalYearDates(fiscalYear);
  const a = sql.raw(alias ? `${alias}.` : '');
  return sql<boolean>`${a}status <> 'cancelled' and ${a}starts_on <= ${to}::date and coalesce(${a}ends_on, ${a}starts_on) >= ${from}::date`;
};

/** Every partner's figures of one fiscal year (partners with none get zeros). */
async function figuresOf(
  db: ViewsReader,
  fiscalYear: number,
): Promise<Map<string, PartnerFigures & Figures>> {
  const { from, to } = fiscalYearDates(fiscalYear);
  const typeCounts = sql.join(
    activityTypes.map(
      (type) => sql`count(*) filter (where type = ${type})::int as ${sql.id(typeKey(type))}`,
    ),
  );
  const mobilitySums = sql.join(
    mobilityKeys.map(
      ([key, direction, group]) =>
        sql`coalesce(sum(count) filter (where direction = ${direction} and person_group = ${group}), 0)::int as ${sql.id(key)}`,
    ),
  );
  const rows = await sql<Record<string, string | number | null>>`
    with act as (
      select partner_id, count(*)::int as activities, ${typeCounts}
        from registry.report_activities
       where ${activityInYear(fiscalYear)}
       group by partner_id
    ), mob as (
      select partner_id, ${mobilitySums}
        from registry.report_mobility
       where fiscal_year = ${fiscalYear}
       group by partner_id
    ), agr as (
      select partner_id,
             -- A signing date known to the year only (stored as its 1 January) lies in two
             -- fiscal years and is counted in neither; to the month or day, in its own.
             count(*) filter (where signed_on between ${from}::date and ${to}::date
                                and signed_on_precision <> 'year')::int as "agreementsSigned",
             count(*) filter (where expires_on between ${from}::date and ${to}::date)::int as "agreementsExpiring"
        from registry.report_agreements
       group by partner_id
    )
    select p.id, p.name_en as "nameEn", p.name_ja as "nameJa", p.country, p.status,
           act.*, mob.*, agr.*
      from registry.report_partners p
      left join act on act.partner_id = p.id
      left join mob on mob.partner_id = p.id
      left join agr on agr.partner_id = p.id
     order by p.name_en, p.id`.execute(db);
  const num = (value: string | number | null | undefined): number => Number(value ?? 0);
  return new Map(
    rows.rows.map((r) => [
      String(r['id']),
      {
        id: String(r['id']),
        nameEn: String(r['nameEn']),
        nameJa: (r['nameJa'] as string | null) ?? null,
        country: String(r['country']),
        status: String(r['status']),
        activities: num(r['activities']),
        byType: Object.fromEntries(
          activityTypes.map((type) => [type, num(r[typeKey(type)])]),
        ) as Record<ActivityType, number>,
        inboundStudents: num(r['inboundStudents']),
        inboundStaff: num(r['inboundStaff']),
        outboundStudents: num(r['outboundStudents']),
        outboundStaff: num(r['outboundStaff']),
        agreementsSigned: num(r['agreementsSigned']),
        agreementsExpiring: num(r['agreementsExpiring']),
      },
    ]),
  );
}

const mobilityOf = (f: Figures): number =>
  f.inboundStudents + f.inboundStaff + f.outboundStudents + f.outboundStaff;

const zero: Figures = {
  activities: 0,
  byType: Object.fromEntries(activityTypes.map((t) => [t, 0])) as Record<ActivityType, number>,
  inboundStudents: 0,
  inboundStaff: 0,
  outboundStudents: 0,
  outboundStaff: 0,
  agreementsSigned: 0,
  agreementsExpiring: 0,
};

function total(all: Iterable<Figures>): Figures {
  const sum: Figures = { ...zero, byType: { ...zero.byType } };
  for (const f of all) {
    sum.activities += f.activities;
    for (const type of activityTypes) sum.byType[type] += f.byType[type];
    sum.inboundStudents += f.inboundStudents;
    sum.inboundStaff += f.inboundStaff;
    sum.outboundStudents += f.outboundStudents;
    sum.outboundStaff += f.outboundStaff;
    sum.agreementsSigned += f.agreementsSigned;
    sum.agreementsExpiring += f.agreementsExpiring;
  }
  return sum;
}

type CurrencyTotals = {
  currency: string;
  appliedCount: number;
  appliedAmount: string;
  awardedCount: number;
  awardedAmount: string;
  previousAppliedAmount: string;
  previousAwardedAmount: string;
  /** The change in awarded amount as a fraction, computed in numeric; null when the previous is 0. */
  awardedChange: number | null;
};

/** Programme-wide funding per currency, this year and last, summed in SQL numeric. */
async function fundingTotals(db: ViewsReader, fiscalYear: number): Promise<CurrencyTotals[]> {
  const previous = fiscalYear - 1;
  const rows = await sql<{
    currency: string;
    appliedCount: number;
    appliedAmount: string;
    awardedCount: number;
    awardedAmount: string;
    previousAppliedAmount: string;
    previousAwardedAmount: string;
    awardedChange: string | null;
  }>`
    with t as (
      select currency,
             count(*) filter (where fiscal_year = ${fiscalYear})::int as applied_count,
             coalesce(sum(amount) filter (where fiscal_year = ${fiscalYear}), 0) as applied,
             count(*) filter (where fiscal_year = ${fiscalYear} and status = 'awarded')::int as awarded_count,
             coalesce(sum(amount) filter (where fiscal_year = ${fiscalYear} and status = 'awarded'), 0) as awarded,
             coalesce(sum(amount) filter (where fiscal_year = ${previous}), 0) as previous_applied,
             coalesce(sum(amount) filter (where fiscal_year = ${previous} and status = 'awarded'), 0) as previous_awarded
        from registry.report_funding
       where fiscal_year in (${fiscalYear}, ${previous})
       group by currency
    )
    select currency, applied_count as "appliedCount", trim_scale(applied)::text as "appliedAmount",
           awarded_count as "awardedCount", trim_scale(awarded)::text as "awardedAmount",
           trim_scale(previous_applied)::text as "previousAppliedAmount",
           trim_scale(previous_awarded)::text as "previousAwardedAmount",
           case when previous_awarded = 0 then null
                else round((awarded - previous_awarded) / previous_awarded, 4)::text end as "awardedChange"
      from t
     order by currency`.execute(db);
  return rows.rows.map((r) => ({
    ...r,
    awardedChange: r.awardedChange === null ? null : Number(r.awardedChange),
  }));
}

export const fiscalYearKind: ReportKindDefinition<'fiscal-year', ReportViews> = {
  kind: 'fiscal-year',

  partnerOf: () => null,

  async estimateRows(db, { fiscalYear }) {
    const reader = db;
    const row = await sql<{ rows: string }>`
      select (select count(*) from registry.report_activities where ${activityInYear(fiscalYear)})
           + (select count(*) from registry.report_mobility where fiscal_year = ${fiscalYear})
           + (select count(*) * 2 from registry.report_partners) as rows`.execute(reader);
    return Number(row.rows[0]?.rows ?? 0);
  },

  async build(db, { fiscalYear }, ctx) {
    const reader = db;
    const { from, to } = fiscalYearDates(fiscalYear);
    const current = await figuresOf(reader, fiscalYear);
    const previous = await figuresOf(reader, fiscalYear - 1);
    const funding = await fundingTotals(reader, fiscalYear);
    const thisYear = total(current.values());
    const lastYear = total(previous.values());

    return {
      title: `Strategic Partnerships — fiscal year ${fiscalYear}`,
      subtitle: `${from} to ${to} (Japanese fiscal year, Tokyo dates)`,
      generatedAt: ctx.now,
      facts: [
        { label: 'Fiscal year', value: `FY${fiscalYear} (${from} – ${to})` },
        { label: 'Partners', value: String(current.size) },
        { label: 'Activities', value: String(thisYear.activities) },
        { label: 'Mobility (people)', value: String(mobilityOf(thisYear)) },
        { label: 'Agreements signed', value: String(thisYear.agreementsSigned) },
        ...funding.map((f) => ({
          label: `Funding awarded (${f.currency})`,
          value: f.awardedAmount,
        })),
        {
          label: 'Counting rules',
          value:
            'Activities: approved, not cancelled, counted in each fiscal year their dates touch (open-ended: the year they start). Mobility and funding: by their fiscal year. Amounts per currency, never converted.',
        },
      ],
      sections: sections(reader, fiscalYear, current, previous, thisYear, lastYear, funding),
    };
  },

  fileName: ({ fiscalYear }) => `fiscal-year-${fiscalYear}`,
};

function* sections(
  db: ViewsReader,
  fiscalYear: number,
  current: Map<string, PartnerFigures & Figures>,
  previous: Map<string, PartnerFigures & Figures>,
  thisYear: Figures,
  lastYear: Figures,
  funding: CurrencyTotals[],
): Generator<ReportSection> {
  yield partnersSection(current, previous);
  yield partnerFundingSection(db, fiscalYear);
  yield programmeSection(thisYear, lastYear);
  yield programmeFundingSection(funding);
  yield {
    kind: 'chart',
    name: 'chart-activities',
    title: `Activities by type, FY${fiscalYear}`,
    bars: activityTypes.map((type) => ({ label: typeLabels[type], value: thisYear.byType[type] })),
  } satisfies ChartSection;
  yield {
    kind: 'chart',
    name: 'chart-mobility',
    title: `Mobility, FY${fiscalYear}`,
    bars: mobilityKeys.map(([key, , , label]) => ({ label, value: thisYear[key] })),
  } satisfies ChartSection;
  yield agreementsSection(db, fiscalYear);
  yield activitiesDetail(db, fiscalYear);
  yield mobilityDetail(db, fiscalYear);
}

function partnersSection(
  current: Map<string, PartnerFigures & Figures>,
  previous: Map<string, PartnerFigures & Figures>,
): TableSection {
  return {
    kind: 'table',
    name: 'partners',
    title: 'Per partner',
    columns: [
      col('partner', 'Partner', 'text', 40),
      col('partnerJa', 'Partner (日本語)', 'text', 24),
      col('country', 'Country', 'text', 8),
      col('status', 'Status', 'text', 12),
      col('activities', 'Activities', 'integer'),
      ...activityTypes.map((type) => col(typeKey(type), typeLabels[type], 'integer')),
      col('activitiesPrevious', 'Activities (previous year)', 'integer'),
      col('activitiesChange', 'Activities change', 'percent'),
      ...mobilityKeys.map(([key, , , label]) => col(key, label, 'integer')),
      col('mobility', 'Mobility total', 'integer'),
      col('mobilityPrevious', 'Mobility (previous year)', 'integer'),
      col('mobilityChange', 'Mobility change', 'percent'),
      col('agreementsSigned', 'Agreements signed', 'integer'),
      col('agreementsExpiring', 'Agreements expiring', 'integer'),
    ],
    rows: (function* (): Generator<Row> {
      for (const f of current.values()) {
        const before = previous.get(f.id) ?? zero;
        yield {
          partner: f.nameEn,
          partnerJa: f.nameJa,
          country: f.country,
          status: f.status,
          activities: f.activities,
          ...Object.fromEntries(activityTypes.map((type) => [typeKey(type), f.byType[type]])),
          activitiesPrevious: before.activities,
          activitiesChange: changeOf(f.activities, before.activities),
          inboundStudents: f.inboundStudents,
          inboundStaff: f.inboundStaff,
          outboundStudents: f.outboundStudents,
          outboundStaff: f.outboundStaff,
          mobility: mobilityOf(f),
          mobilityPrevious: mobilityOf(before),
          mobilityChange: changeOf(mobilityOf(f), mobilityOf(before)),
          agreementsSigned: f.agreementsSigned,
          agreementsExpiring: f.agreementsExpiring,
        };
      }
    })(),
  };
}

function partnerFundingSection(db: ViewsReader, fiscalYear: number): TableSection {
  return {
    kind: 'table',
    name: 'partner-funding',
    title: 'External funding per partner and currency',
    columns: [
      col('partner', 'Partner', 'text', 40),
      col('currency', 'Currency', 'text', 8),
      col('appliedCount', 'Bids', 'integer'),
      col('appliedAmount', 'Applied (all bids)', 'decimal', 16),
      col('awardedCount', 'Awarded bids', 'integer'),
      col('awardedAmount', 'Awarded', 'decimal', 16),
    ],
    rows: (async function* (): AsyncGenerator<Row> {
      const rows = await sql<Row>`
        select p.name_en as partner, f.currency,
               count(*)::int as "appliedCount",
               trim_scale(sum(f.amount))::text as "appliedAmount",
               count(*) filter (where f.status = 'awarded')::int as "awardedCount",
               trim_scale(coalesce(sum(f.amount) filter (where f.status = 'awarded'), 0))::text as "awardedAmount"
          from registry.report_funding f
          join registry.report_partners p on p.id = f.partner_id
         where f.fiscal_year = ${fiscalYear}
         group by p.id, p.name_en, f.currency
         order by p.name_en, p.id, f.currency`.execute(db);
      yield* rows.rows;
    })(),
  };
}

function programmeSection(thisYear: Figures, lastYear: Figures): TableSection {
  const metric = (label: string, now: number, before: number): Row => ({
    metric: label,
    thisYear: now,
    previousYear: before,
    change: changeOf(now, before),
  });
  return {
    kind: 'table',
    name: 'programme',
    title: 'Programme totals and the change on the previous year',
    columns: [
      col('metric', 'Figure', 'text', 32),
      col('thisYear', 'This year', 'integer'),
      col('previousYear', 'Previous year', 'integer'),
      col('change', 'Change', 'percent'),
    ],
    rows: [
      metric('Activities', thisYear.activities, lastYear.activities),
      ...activityTypes.map((type) =>
        metric(`Activities: ${typeLabels[type]}`, thisYear.byType[type], lastYear.byType[type]),
      ),
      ...mobilityKeys.map(([key, , , label]) => metric(label, thisYear[key], lastYear[key])),
      metric('Mobility total', mobilityOf(thisYear), mobilityOf(lastYear)),
      metric('Agreements signed', thisYear.agreementsSigned, lastYear.agreementsSigned),
      metric('Agreements expiring', thisYear.agreementsExpiring, lastYear.agreementsExpiring),
    ],
  };
}

function programmeFundingSection(funding: CurrencyTotals[]): TableSection {
  return {
    kind: 'table',
    name: 'programme-funding',
    title: 'External funding, programme totals per currency',
    columns: [
      col('currency', 'Currency', 'text', 8),
      col('appliedCount', 'Bids', 'integer'),
      col('appliedAmount', 'Applied (all bids)', 'decimal', 16),
      col('awardedCount', 'Awarded bids', 'integer'),
      col('awardedAmount', 'Awarded', 'decimal', 16),
      col('previousAppliedAmount', 'Applied (previous year)', 'decimal', 16),
      col('previousAwardedAmount', 'Awarded (previous year)', 'decimal', 16),
      col('awardedChange', 'Awarded change', 'percent'),
    ],
    rows: funding.map((f) => ({ ...f })),
  };
}

function agreementsSection(db: ViewsReader, fiscalYear: number): TableSection {
  const { from, to } = fiscalYearDates(fiscalYear);
  return {
    kind: 'table',
    name: 'agreements',
    title: 'Agreements signed or expiring in the year',
    columns: [
      col('partner', 'Partner', 'text', 40),
      col('kind', 'Kind', 'text', 16),
      col('title', 'Title', 'text', 40),
      col('signedOn', 'Signed', 'date'),
      // A signing known to the year or the month is stored as its first day: say which, as
      // the partner profile does, so "2016" does not read as 1 January 2016.
      col('signedOnPrecision', 'Precision', 'text', 8),
      col('expiresOn', 'Expires', 'date'),
      col('event', 'In the year', 'text', 16),
    ],
    rows: (async function* (): AsyncGenerator<Row> {
      const rows = await db
        .selectFrom('registry.reportAgreements as a')
        .innerJoin('registry.reportPartners as p', 'p.id', 'a.partnerId')
        .select([
          'p.nameEn as partner',
          'a.kind',
          'a.title',
          'a.signedOn',
          'a.signedOnPrecision',
          'a.expiresOn',
        ])
        .where((eb) =>
          eb.or([
            // As in the counts: a year-only signing date is in no one fiscal year.
            eb.and([eb.between('a.signedOn', from, to), eb('a.signedOnPrecision', '<>', 'year')]),
            eb.between('a.expiresOn', from, to),
          ]),
        )
        .orderBy('p.nameEn')
        .orderBy('a.id')
        .execute();
      for (const r of rows) {
        const signed =
          r.signedOn !== null &&
          r.signedOnPrecision !== 'year' &&
          r.signedOn >= from &&
          r.signedOn <= to;
        const expires = r.expiresOn !== null && r.expiresOn >= from && r.expiresOn <= to;
        yield {
          ...r,
          event: signed && expires ? 'signed, expires' : signed ? 'signed' : 'expires',
        };
      }
    })(),
  };
}

function activitiesDetail(db: ViewsReader, fiscalYear: number): TableSection {
  const activities = db
    .selectFrom('registry.reportActivities as a')
    .innerJoin('registry.reportPartners as p', 'p.id', 'a.partnerId')
    .select([
      'p.nameEn as partner',
      'a.type',
      'a.titleEn',
      'a.titleJa',
      'a.departments',
      'a.startsOn',
      'a.endsOn',
      'a.status',
    ])
    .where(activityInYear(fiscalYear, 'a'))
    .orderBy('p.nameEn')
    .orderBy('a.startsOn')
    .orderBy('a.id');
  return {
    kind: 'table',
    name: 'activities',
    title: `Every activity of FY${fiscalYear}`,
    detail: true,
    columns: [
      col('partner', 'Partner', 'text', 40),
      col('type', 'Type', 'text', 20),
      col('titleEn', 'Title', 'text', 48),
      col('titleJa', 'Title (日本語)', 'text', 32),
      col('departments', 'Departments', 'text', 24),
      col('startsOn', 'Starts', 'date'),
      col('endsOn', 'Ends', 'date'),
      col('status', 'Status', 'text', 10),
    ],
    rows: readAhead(activities.stream(STREAM_CHUNK), STREAM_CHUNK),
    copy: activities.compile(),
  };
}

function mobilityDetail(db: ViewsReader, fiscalYear: number): TableSection {
  const mobility = db
    .selectFrom('registry.reportMobility as m')
    .innerJoin('registry.reportPartners as p', 'p.id', 'm.partnerId')
    .select([
      'p.nameEn as partner',
      'm.direction',
      'm.personGroup',
      'm.personType',
      'm.programme',
      'm.count',
    ])
    .where('m.fiscalYear', '=', fiscalYear)
    .orderBy('p.nameEn')
    .orderBy('m.id');
  return {
    kind: 'table',
    name: 'mobility',
    title: `Every mobility record of FY${fiscalYear}`,
    detail: true,
    columns: [
      col('partner', 'Partner', 'text', 40),
      col('direction', 'Direction', 'text', 10),
      col('personGroup', 'Group', 'text', 8),
      col('personType', 'Person type', 'text', 20),
      col('programme', 'Programme', 'text', 32),
      col('count', 'People', 'integer'),
    ],
    rows: readAhead(mobility.stream(STREAM_CHUNK), STREAM_CHUNK),
    copy: mobility.compile(),
  };
}
