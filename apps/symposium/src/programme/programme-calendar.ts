import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import ical from 'ical-generator';
import { DateTime } from 'luxon';
import { type Programme, resolvedZone } from '@sp/types';

const roleLabel = {
  en: { chair: 'Chair', moderator: 'Moderator', speaker: 'Speaker', panelist: 'Panelist' },
  ja: { chair: '座長', moderator: 'モデレーター', speaker: '登壇者', panelist: 'パネリスト' },
} as const;

/**
 * The zone's VTIMEZONE and the TZID it declares, which is not always the name asked for
 * (Asia/Calcutta's is Asia/Kolkata, UTC's Etc/UTC), so the events must use that TZID. Only a
 * VTIMEZONE of the same zone is taken: for a name it did not know, the library answered with
 * another zone's (Europe/Bucharest for "JST"); then there is none.
 */
function vtimezoneOf(timeZone: string): { tzid: string; component: string } | undefined {
  const component = getVtimezoneComponent(timeZone);
  const tzid = component ? /^TZID:(.+)$/m.exec(component)?.[1]?.trim() : undefined;
  if (!component || !tzid || resolvedZone(tzid) !== resolvedZone(timeZone)) return undefined;
  return { tzid, component };
}

/**
 * RFC 5545 TEXT (§3.3.11): backslash, semicolon, comma and line breaks escaped. ical-generator
 * does this for an event's summary, description and location but writes the calendar's name
 * as it is, so a title with a comma broke NAME, and one with a line break added a property.
 */
const icalText = (text: string): string =>
  text.replace(/[\\;,]/g, (c) => `\\${c}`).replace(/\r\n|\r|\n/g, '\\n');

/**
 * The published programme as an iCalendar file: one event per session, its times in the
 * symposium's time zone (with the zone's VTIMEZONE, so calendars show Tokyo times; in UTC
 * for a zone without one), the room as the location and the people in the description.
 * `host` makes the event UIDs global. DTSTAMP is written in UTC, as RFC 5545 requires.
 */
export function programmeCalendar(programme: Programme, host: string, now = new Date()): string {
  const zone = vtimezoneOf(programme.timeZone);
  const calendar = ical({
    name: icalText(programme.title.text),
    prodId: { company: 'UTokyo Strategic Partnerships', product: 'symposium', language: 'EN' },
    // The zone is the events' (TZID), not the calendar's: ical-generator writes DTSTAMP in the
    // calendar's zone without a TZID (floating, wrong by its offset); without one, in UTC.
    ...(zone ? { timezone: { name: null, generator: () => zone.component } } : {}),
  });
  const at = (iso: string) =>
    zone
      ? DateTime.fromISO(iso, { zone: programme.timeZone })
      : DateTime.fromISO(iso, { zone: 'utc' });
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
      start: at(s.startsAt),
      end: at(s.endsAt),
      stamp: now,
      ...(zone ? { timezone: zone.tzid } : {}),
      summary: s.title.text,
      description: [s.description?.text, ...people].filter(Boolean).join('\n') || null,
      location: s.room,
      categories: [{ name: s.kind }],
    });
  }
  // Every content line ends CRLF (RFC 5545 §3.1), the last one too.
  const file = calendar.toString();
  return file.endsWith('\r\n') ? file : `${file}\r\n`;
}
