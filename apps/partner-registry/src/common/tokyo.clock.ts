import { Injectable } from '@nestjs/common';
import { todayInTokyo } from '@sp/platform';

/**
 * Where the registry reads "now": agreement statuses and the daily reminder job take their
 * Tokyo date from here, so a test can stand the app on a day of its choosing (`now`).
 */
@Injectable()
export class TokyoClock {
  now(): Date {
    return new Date();
  }

  /** Today's Tokyo date, `YYYY-MM-DD`. */
  today(): string {
    return todayInTokyo(this.now());
  }
}
