import holidayJp from '@holiday-jp/holiday_jp';

/**
 * The desk's business hours: Asia/Tokyo, Monday to Friday 9:00–17:00, except Japanese national
 * holidays (from `@holiday-jp/holiday_jp`, substitute holidays included) and the university's
 * own closure days (configuration). Pure: no clock, no I/O.
 *
 * Tokyo has had no daylight saving time since 1951, so a Tokyo wall-clock time is the UTC
 * instant plus nine hours; every computation below works on that shifted time line.
 */

/** One closure rule: a fixed date, a range of fixed dates, or a range repeated every year. */
export type Closure =
  | { kind: 'date'; from: string; to: string } // YYYY-MM-DD..YYYY-MM-DD (inclusive)
  | { kind: 'yearly'; from: string; to: string }; // MM-DD..MM-DD (inclusive, may wrap the year)

export type BusinessHoursOptions = {
  /** The university's own closure days (e.g. the year-end break 12-29..01-03). */
  closures?: readonly Closure[];
  /** Opening and closing times in minutes after midnight (Tokyo); 9:00–17:00 by default. */
  openMinute?: number;
  closeMinute?: number;
};

export type BusinessHours = {
  /** `start` plus `minutes` business minutes (0 → `start` itself). */
  addBusinessMinutes(start: Date, minutes: number): Date;
  /** Business minutes from `a` to `b` (negative when `b` is before `a`). */
  businessMinutesBetween(a: Date, b: Date): number;
  /** Whether the Tokyo date `YYYY-MM-DD` is a working day. */
  isBusinessDay(date: string): boolean;
};

const MINUTE = 60_000;
const DAY = 86_400_000;
const TOKYO_OFFSET = 9 * 60 * MINUTE;
/** The search for the next working day gives up after this many days (a misconfiguration). */
const MAX_DAYS = 3_660;

const nationalHolidays: Readonly<Record<string, unknown>> = holidayJp.holidays;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_DAY = /^(\d{2})-(\d{2})$/;

const validDate = (value: string): boolean => {
  if (!DATE.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
};

const validMonthDay = (value: string): boolean =>
  MONTH_DAY.test(value) && validDate(`2024-${value}`); // 2024 is a leap year: 02-29 is fine

/**
 * Parses the closure setting: comma-separated `YYYY-MM-DD`, `YYYY-MM-DD..YYYY-MM-DD`, `MM-DD`
 * or `MM-DD..MM-DD` (yearly, may wrap the year: `12-29..01-03`). Returns the rules, or the
 * first entry it cannot read as `{ error }`.
 */
export function parseClosures(setting: string): Closure[] | { error: string } {
  const closures: Closure[] = [];
  for (const raw of setting.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const [from = '', to = from, ...rest] = entry.split('..').map((part) => part.trim());
    if (rest.length > 0) return { error: `"${entry}": at most one ".." per entry` };
    if (validDate(from) && validDate(to)) {
      if (to < from) return { error: `"${entry}": the range ends before it starts` };
      closures.push({ kind: 'date', from, to });
    } else if (validMonthDay(from) && validMonthDay(to)) {
      closures.push({ kind: 'yearly', from, to });
    } else {
      return {
        error: `"${entry}": expected YYYY-MM-DD, MM-DD or a range of either joined by ".."`,
      };
    }
  }
  return closures;
}

const closed = (closure: Closure, date: string): boolean => {
  if (closure.kind === 'date') return closure.from <= date && date <= closure.to;
  const monthDay = date.slice(5);
  return closure.from <= closure.to
    ? closure.from <= monthDay && monthDay <= closure.to
    : monthDay >= closure.from || monthDay <= closure.to; // wraps the year end
};

export function businessHours(options: BusinessHoursOptions = {}): BusinessHours {
  const closures = options.closures ?? [];
  const open = (options.openMinute ?? 9 * 60) * MINUTE;
  const close = (options.closeMinute ?? 17 * 60) * MINUTE;
  if (!(open >= 0 && open < close && close <= DAY))
    throw new RangeError('business hours: opening must come before closing, within a day');

  const isBusinessDay = (date: string): boolean => {
    const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
    if (weekday === 0 || weekday === 6) return false;
    if (Object.hasOwn(nationalHolidays, date)) return false;
    return !closures.some((closure) => closed(closure, date));
  };
  // Day number (days since 1970-01-01 in Tokyo) → working or not, memoised: the sweep asks often.
  const cache = new Map<number, boolean>();
  const worksOn = (day: number): boolean => {
    let works = cache.get(day);
    if (works === undefined) {
      works = isBusinessDay(new Date(day * DAY).toISOString().slice(0, 10));
      if (cache.size > 20_000) cache.clear();
      cache.set(day, works);
    }
    return works;
  };

  const addBusinessMinutes = (start: Date, minutes: number): Date => {
    if (!Number.isFinite(minutes) || minutes < 0)
      throw new RangeError('business minutes to add must be a finite number ≥ 0');
    if (minutes === 0) return new Date(start.getTime());
    let remaining = minutes * MINUTE;
    let local = start.getTime() + TOKYO_OFFSET;
    for (let i = 0; i < MAX_DAYS; i++) {
      const dayStart = Math.floor(local / DAY) * DAY;
      if (worksOn(dayStart / DAY)) {
        const from = Math.max(local, dayStart + open);
        const available = dayStart + close - from;
        if (available > 0) {
          if (remaining <= available) return new Date(from + remaining - TOKYO_OFFSET);
          remaining -= available;
        }
      }
      local = dayStart + DAY;
    }
    throw new RangeError(`business hours: no working time within ${MAX_DAYS} days`);
  };

  const businessMinutesBetween = (a: Date, b: Date): number => {
    if (b.getTime() < a.getTime()) return -businessMinutesBetween(b, a);
    const end = b.getTime() + TOKYO_OFFSET;
    let local = a.getTime() + TOKYO_OFFSET;
    let total = 0;
    while (local < end) {
      const dayStart = Math.floor(local / DAY) * DAY;
      if (worksOn(dayStart / DAY)) {
        const from = Math.max(local, dayStart + open);
        const to = Math.min(end, dayStart + close);
        if (to > from) total += to - from;
      }
      local = dayStart + DAY;
    }
    return total / MINUTE;
  };

  return { addBusinessMinutes, businessMinutesBetween, isBusinessDay };
}
