import type { Programme } from '@sp/types';
import ICAL from 'ical.js';
import { programmeCalendar } from './programme-calendar';

const text = (value: string) => ({ text: value, lang: 'en' as const, fallback: false });

/** A published programme of one session, 14:00–15:30 in Tokyo (05:00–06:30 UTC). */
const programme = (timeZone: string): Programme => ({
  symposiumId: '8d8f5f0e-2b7a-4c1e-9d55-2f6a1c3e4b5a',
  title: text('Symposium'),
  timeZone,
  publishedAt: '2090-03-01T00:00:00.000Z',
  language: 'en',
  sessions: [
    {
      id: '0b7d2c61-3f4e-4a8b-9c1d-5e6f7a8b9c0d',
      kind: 'talk',
      title: text('Opening'),
      description: null,
      startsAt: '2090-03-15T05:00:00.000Z',
      endsAt: '2090-03-15T06:30:00.000Z',
      room: 'Hall',
      people: [],
    },
  ],
});

const parse = (ics: string) => {
  const calendar = new ICAL.Component(ICAL.parse(ics));
  const zone = calendar.getFirstSubcomponent('vtimezone');
  if (zone) ICAL.TimezoneService.register(zone);
  const [event] = calendar.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
  return { zone: zone?.getFirstPropertyValue('tzid') ?? null, event: event! };
};

describe('programmeCalendar', () => {
  it("gives the events the TZID of the file's VTIMEZONE, even where the library renames the zone", () => {
    for (const [timeZone, tzid] of [
      ['Asia/Tokyo', 'Asia/Tokyo'],
      // The runtime's name for India; the VTIMEZONE library's is Asia/Kolkata.
      ['Asia/Calcutta', 'Asia/Kolkata'],
    ] as const) {
      const ics = programmeCalendar(programme(timeZone), 'example.org');
      const { zone, event } = parse(ics);
      expect([timeZone, zone, event.startDate.zone.tzid]).toEqual([timeZone, tzid, tzid]);
      expect(event.startDate.toJSDate().toISOString()).toBe('2090-03-15T05:00:00.000Z');
    }
  });

  it('writes the times in UTC when no VTIMEZONE of that zone is known, never another zone', () => {
    // The library has none for Europe/Kyiv; for an unknown name it once gave Europe/Bucharest's.
    for (const timeZone of ['Europe/Kyiv', 'JST']) {
      const ics = programmeCalendar(programme(timeZone), 'example.org');
      expect(ics).not.toMatch(/BEGIN:VTIMEZONE|TZID=/);
      expect(ics).toMatch(/^DTSTART:20900315T050000Z\r?$/m);
      expect(parse(ics).event.endDate.toJSDate().toISOString()).toBe('2090-03-15T06:30:00.000Z');
    }
  });

  it("escapes the calendar's name as RFC 5545 TEXT, and ends every line CRLF", () => {
    const ics = programmeCalendar(
      { ...programme('Asia/Tokyo'), title: text('Symposium, 2025; Tokyo\nMETHOD:CANCEL \\o/') },
      'example.org',
    );
    expect(ics).toContain('NAME:Symposium\\, 2025\\; Tokyo\\nMETHOD:CANCEL \\\\o/\r\n');
    expect(ics).not.toMatch(/^METHOD:CANCEL/m);
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    // X-WR-CALNAME (what most calendar apps show) is the same text.
    expect(ics).toContain('X-WR-CALNAME:Symposium\\, 2025\\; Tokyo\\nMETHOD:CANCEL \\\\o/\r\n');
    expect(parse(ics).event.summary).toBe('Opening');
  });

  it('writes DTSTAMP in UTC (RFC 5545), not floating in the zone', () => {
    const ics = programmeCalendar(
      programme('Asia/Tokyo'),
      'example.org',
      new Date('2090-03-01T12:34:56Z'),
    );
    expect(ics).toMatch(/^DTSTAMP:20900301T123456Z\r?$/m);
  });
});
