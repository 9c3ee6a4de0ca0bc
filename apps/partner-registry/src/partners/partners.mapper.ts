import type {
  Agreement,
  Partner,
  PartnerDetail,
  PartnerSnapshot,
  PartnerStatusChange,
  PublicPartner,
} from '@sp/types';
import type { PartnerRow, PartnerStatusChangeRow } from './partners.repository';

export function toPartner(row: PartnerRow): Partner {
  return {
    id: row.id,
    nameEn: row.nameEn,
    nameJa: row.nameJa,
    country: row.country,
    region: row.region,
    website: row.website,
    status: row.status,
    statusSince: row.statusSince,
    memberInstitutions: row.memberInstitutions,
    summaryEn: row.summaryEn,
    summaryJa: row.summaryJa,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    version: Number(row.version),
  };
}

/** What other services keep of a partner (the payload of `partner.*` events). */
export const toPartnerSnapshot = (row: PartnerRow): PartnerSnapshot => ({
  id: row.id,
  nameEn: row.nameEn,
  nameJa: row.nameJa,
  country: row.country,
  status: row.status,
  updatedAt: row.updatedAt.toISOString(),
  version: Number(row.version),
});

export const toPartnerStatusChange = (row: PartnerStatusChangeRow): PartnerStatusChange => ({
  from: row.fromStatus,
  to: row.toStatus,
  changedOn: row.changedOn,
  note: row.note,
  recordedAt: row.recordedAt.toISOString(),
});

/** A partner with its agreements (from AgreementsService) and its dated status history. */
export const toPartnerDetail = (
  row: PartnerRow,
  agreements: Agreement[],
  history: PartnerStatusChangeRow[],
): PartnerDetail => ({
  ...toPartner(row),
  agreements,
  statusHistory: history.map(toPartnerStatusChange),
});

/** A partner as the public programme page shows it. */
export const toPublicPartner = (row: PartnerRow): PublicPartner => ({
  id: row.id,
  nameEn: row.nameEn,
  nameJa: row.nameJa,
  country: row.country,
  region: row.region,
  website: row.website,
  status: row.status,
  memberInstitutions: row.memberInstitutions,
  summaryEn: row.summaryEn,
  summaryJa: row.summaryJa,
});
