import { Injectable } from '@nestjs/common';

/**
 * The service's notion of "now" (registration windows, reminders). Injected, so a test can
 * provide its own; the app uses the system clock.
 */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
