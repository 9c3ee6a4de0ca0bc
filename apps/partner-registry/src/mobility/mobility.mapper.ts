import {
  type MobilityPartnerTotals,
  mobilityPersonTypes,
  type MobilityRecord,
  type MobilitySnapshot,
  type MobilityTotals,
} from '@sp/types';
import { fiscalYearRange } from './fiscal-year';
import type { MobilityRow, MobilityTableRow, MobilityTotalRow } from './mobility.repository';

export const toMobilityRecord = (row: MobilityRow): MobilityRecord => ({
  id: row.id,
  partnerId: row.partnerId,
  partnerNameEn: row.partnerNameEn,
  fiscalYear: row.fiscalYear,
  direction: row.direction,
  personType: row.personType,
  programme: row.programme,
  count: row.count,
  note: row.note,
  reviewStatus: row.reviewStatus,
  reviewComment: row.reviewComment,
  reviewedAt: row.reviewedAt ? row.reviewedAt.toISOString() : null,
  reportedBy: row.reportedBy,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
  version: Number(row.version),
});

export const toMobilitySnapshot = (row: MobilityTableRow): MobilitySnapshot => ({
  id: row.id,
  partnerId: row.partnerId,
  fiscalYear: row.fiscalYear,
  direction: row.direction,
  personType: row.personType,
  programme: row.programme,
  count: row.count,
  reviewStatus: row.reviewStatus,
  updatedAt: row.updatedAt.toISOString(),
  version: Number(row.version),
});

const emptyPartner = (partnerId: string, partnerNameEn: string): MobilityPartnerTotals => ({
  partnerId,
  partnerNameEn,
  inbound: 0,
  outbound: 0,
  total: 0,
  byPersonType: Object.fromEntries(
    mobilityPersonTypes.map((t) => [t, { inbound: 0, outbound: 0, total: 0 }]),
  ) as MobilityPartnerTotals['byPersonType'],
  pending: 0,
});

/** Folds the grouped counts into per-partner totals (rows come ordered by partner name). */
export function toMobilityTotals(fiscalYear: number, rows: MobilityTotalRow[]): MobilityTotals {
  const partners = new Map<string, MobilityPartnerTotals>();
  for (const row of rows) {
    const partner = partners.get(row.partnerId) ?? emptyPartner(row.partnerId, row.partnerNameEn);
    partners.set(row.partnerId, partner);
    partner[row.direction] += row.approved;
    partner.total += row.approved;
    partner.byPersonType[row.personType][row.direction] += row.approved;
    partner.byPersonType[row.personType].total += row.approved;
    partner.pending += row.pending;
  }
  const list = [...partners.values()];
  const sum = (pick: (p: MobilityPartnerTotals) => number) => list.reduce((n, p) => n + pick(p), 0);
  return {
    fiscalYear,
    ...fiscalYearRange(fiscalYear),
    partners: list,
    inbound: sum((p) => p.inbound),
    outbound: sum((p) => p.outbound),
    total: sum((p) => p.total),
  };
}

/**
 * A report's cell: one report per partner, fiscal year, direction, person type and programme
 * (the `mobility_record_cell_key` index), as one string. `programme` must already be the
 * index's key, Postgres' `lower()` of it (JavaScript's lower case differs, e.g. for 'İ').
 */
export const cellKey = (r: {
  partnerId?: string | undefined;
  fiscalYear: number;
  direction: string;
  personType: string;
  programme: string;
}): string =>
  JSON.stringify([r.partnerId ?? '', r.fiscalYear, r.direction, r.personType, r.programme]);
