import { formatAmount, type Funding, type FundingSnapshot } from '@sp/types';
import type { FundingRow } from './funding.repository';

export const toFunding = (row: FundingRow): Funding => ({
  id: row.id,
  partnerId: row.partnerId,
  partnerNameEn: row.partnerNameEn,
  activityId: row.activityId,
  source: row.source,
  scheme: row.scheme,
  amount: formatAmount(row.amount, row.currency),
  currency: row.currency,
  fiscalYear: row.fiscalYear,
  status: row.status,
  note: row.note,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
  version: Number(row.version),
});

export const toFundingSnapshot = (row: FundingRow): FundingSnapshot => ({
  id: row.id,
  partnerId: row.partnerId,
  activityId: row.activityId,
  source: row.source,
  amount: formatAmount(row.amount, row.currency),
  currency: row.currency,
  fiscalYear: row.fiscalYear,
  status: row.status,
  updatedAt: row.updatedAt.toISOString(),
  version: Number(row.version),
});
