import type { CannedResponse, Language } from '@sp/types';
import type { CannedResponseRow } from './canned-responses.repository';

export const toCannedResponse = (row: CannedResponseRow): CannedResponse => ({
  id: row.id,
  title: row.title,
  bodyEn: row.bodyEn,
  bodyJa: row.bodyJa,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
  version: Number(row.version),
});

/** The text of a canned response in the inquirer's language. */
export const cannedText = (row: CannedResponseRow, language: Language): string =>
  language === 'ja' ? row.bodyJa : row.bodyEn;
