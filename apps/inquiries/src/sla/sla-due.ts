import type { BusinessHours } from '@sp/platform';
import { type SlaTargets, slaTargetOf } from '../common/sla-targets';

export type DueTimes = { firstResponseDueAt: Date; resolutionDueAt: Date };

/** The due times of an inquiry created at `createdAt` in `category`, in business hours. */
export const dueTimesOf = (
  hours: BusinessHours,
  targets: SlaTargets,
  createdAt: Date,
  category: string,
): DueTimes => {
  const target = slaTargetOf(targets, category);
  return {
    firstResponseDueAt: hours.addBusinessMinutes(createdAt, target.firstResponse),
    resolutionDueAt: hours.addBusinessMinutes(createdAt, target.resolution),
  };
};

/** `YYYY-MM-DD HH:mm` in Tokyo, for a mail. */
export const tokyoMinute = (at: Date): string =>
  `${new Date(at.getTime() + 9 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ')} JST`;
