import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import ical from 'ical-generator';
import { DateTime } from 'luxon';
import type { Programme } from '@sp/types';

const roleLabel = {
  en: { chair: 'Chair', moderator: 'Moderator', speaker: 'Speaker', panelist: 'Panelist' },
  ja: { chair: '座長', moderator: 'モデレーター', speaker: '登壇者', panelist: 'パネリスト' },
} as const;

/**
 * The published programme as an iCalendar file: one event per session, its times in the
 * symposium's time zone (with the zone's VTIMEZONE, so calendars show Tokyo times), the room as
 * the location and the people in the description. `host` makes the event UIDs global.
 */
export function programmeCalendar(programme: Programme, host: string): string {
  const calendar = ical({
    name: programme.title.text,
    prodId: { company: 'UTokyo Strategic Partnerships', product: 'symposium', language: 'EN' },
    timezone: { name: programme.timeZone, generator: getVtimezoneComponent },
  });
  const labels = roleLabel[programme.language];
  for (const s of programme.sessions) {
    const people = s.people.map((p) => {
      const affiliation = p.affiliation ?? p.partner?.name;
      return `${labels[p.role]}: ${p.name.text}${affiliation ? ` (${affiliation.text})` : ''}`;
    });
    calendar.createEvent({
      id: `${s.id}@${host}`,
      // Luxon dates in the zone: ical-generator writes their wall-clock time under the TZID
      // (a plain Date would be written in the process's own zone).
      start: DateTime.fromISO(s.startsAt, { zone: programme.timeZone }),
      end: DateTime.fromISO(s.endsAt, { zone: programme.timeZone }),
      timezone: programme.timeZone,
      summary: s.title.text,
      description: [s.description?.text, ...people].filter(Boolean).join('\n') || null,
      location: s.room,
      categories: [{ name: s.kind }],
    });
  }
  return calendar.toString();
}
