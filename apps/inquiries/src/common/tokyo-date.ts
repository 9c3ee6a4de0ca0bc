/** The programme runs on Tokyo dates: a day starts and ends at midnight in Japan. */
const tokyoDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo' });

/** The `YYYY-MM-DD` date in Tokyo at the given instant (now by default). */
export const todayInTokyo = (now: Date = new Date()): string => tokyoDate.format(now);

/** The year in Tokyo at the given instant: references number inquiries per Tokyo year. */
export const yearInTokyo = (now: Date = new Date()): number =>
  Number(todayInTokyo(now).slice(0, 4));
