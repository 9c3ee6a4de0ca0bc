import {
  type FormAnswer,
  type RegistrationFormField,
  registrationFormFieldSchema,
} from '@sp/types';
import type {
  Registration,
  RegistrationEvent,
  RegistrationReceipt,
  RegistrationSettings,
} from '@sp/types';
import type { RegistrationRow, SettingsRow, SymposiumFacts } from './registrations.repository';

const formSchema = registrationFormFieldSchema.array();

/** A settings row's form fields, read through their contract (the column is plain JSON). */
export const formOf = (row: SettingsRow): RegistrationFormField[] => formSchema.parse(row.form);

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export const toRegistration = (
  row: RegistrationRow,
  waitlistPosition: number | null,
): Registration => ({
  id: row.id,
  symposiumId: row.symposiumId,
  partnerId: row.partnerId,
  name: row.name,
  email: row.email,
  language: row.language,
  answers: row.answers as Record<string, FormAnswer>,
  status: row.status,
  waitlistPosition,
  checkInCode: row.checkInCode,
  createdAt: row.createdAt.toISOString(),
  confirmedAt: iso(row.confirmedAt),
  cancelledAt: iso(row.cancelledAt),
  attendedAt: iso(row.attendedAt),
});

export const toReceipt = (
  row: RegistrationRow,
  waitlistPosition: number | null,
): RegistrationReceipt => ({ id: row.id, status: row.status, waitlistPosition });

/** The payload of a `registration.*` event: ids and the state, no personal data. */
export const toRegistrationEvent = (row: RegistrationRow): RegistrationEvent => ({
  registrationId: row.id,
  symposiumId: row.symposiumId,
  partnerId: row.partnerId,
  status: row.status,
  occurredAt: row.updatedAt.toISOString(),
});

export const toSettings = (
  row: SettingsRow,
  counts: { taken: number; waiting: number },
  now: Date,
): RegistrationSettings => ({
  symposiumId: row.symposiumId,
  capacity: row.capacity,
  opensAt: row.opensAt.toISOString(),
  closesAt: row.closesAt.toISOString(),
  form: formOf(row),
  reminderOffsetsMinutes: row.reminderOffsetsMinutes,
  confirmed: counts.taken,
  waitlisted: counts.waiting,
  seatsLeft: Math.max(0, row.capacity - counts.taken),
  open: now >= row.opensAt && now < row.closesAt,
  version: Number(row.version),
});

/** The symposium's title in the registrant's language, else in the other (a title has one). */
export const symposiumTitle = (
  s: Pick<SymposiumFacts, 'titleEn' | 'titleJa'>,
  language: 'en' | 'ja',
): string => (language === 'ja' ? (s.titleJa ?? s.titleEn) : (s.titleEn ?? s.titleJa)) ?? '';

/** The values every registration mail renders: who, which symposium, and their links. */
export const mailData = (
  row: RegistrationRow,
  symposium: Pick<SymposiumFacts, 'titleEn' | 'titleJa' | 'heldOn'>,
  links: { manageUrl: string; qrUrl: string },
): Record<string, string> => ({
  name: row.name,
  symposium: symposiumTitle(symposium, row.language),
  date: symposium.heldOn,
  checkInCode: row.checkInCode,
  manageUrl: links.manageUrl,
  qrUrl: links.qrUrl,
});
