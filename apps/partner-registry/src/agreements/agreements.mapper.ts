import type { Agreement } from '@sp/types';
import type { AgreementRow } from './agreements.repository';

export const toAgreement = (row: AgreementRow): Agreement => ({
  id: row.id,
  kind: row.kind,
  title: row.title,
  signedOn: row.signedOn,
  signedYear: row.signedYear,
  renewedOn: row.renewedOn,
  expiresOn: row.expiresOn,
  note: row.note,
});
