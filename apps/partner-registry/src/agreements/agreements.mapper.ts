import {
  type Agreement,
  type AgreementRenewal,
  type AgreementSnapshot,
  type AgreementStatus,
  joinPartialDate,
} from '@sp/types';
import type { AgreementRenewalRow, AgreementRow } from './agreements.repository';

/** What a caller may see of who did what: staff see the member of staff, partners nothing. */
export type Audience = 'staff' | 'partner';

export const toAgreementRenewal = (
  row: AgreementRenewalRow,
  audience: Audience,
): AgreementRenewal => ({
  renewedOn: joinPartialDate(row.renewedOn, row.renewedOnPrecision),
  previousExpiresOn: row.previousExpiresOn,
  newExpiresOn: row.newExpiresOn,
  note: row.note,
  ...(audience === 'staff' ? { recordedBy: row.actorId } : {}),
  recordedAt: row.recordedAt.toISOString(),
});

/** An agreement with its status (derived by the caller for a day) and its renewals. */
export const toAgreement = (
  row: AgreementRow,
  status: AgreementStatus,
  renewals: AgreementRenewalRow[],
  audience: Audience,
): Agreement => ({
  id: row.id,
  partnerId: row.partnerId,
  kind: row.kind,
  title: row.title,
  signatories: row.signatories,
  signedOn:
    row.signedOn === null ? null : joinPartialDate(row.signedOn, row.signedOnPrecision ?? 'day'),
  startsOn: row.startsOn,
  expiresOn: row.expiresOn,
  autoRenewal: row.autoRenewal,
  documentUrl: row.documentUrl,
  note: row.note,
  status,
  renewals: renewals.map((r) => toAgreementRenewal(r, audience)),
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
  version: Number(row.version),
});

/** The payload of `agreement.*` events. */
export const toAgreementSnapshot = (row: AgreementRow): AgreementSnapshot => ({
  id: row.id,
  partnerId: row.partnerId,
  kind: row.kind,
  title: row.title,
  startsOn: row.startsOn,
  expiresOn: row.expiresOn,
  autoRenewal: row.autoRenewal,
  updatedAt: row.updatedAt.toISOString(),
  version: Number(row.version),
});
