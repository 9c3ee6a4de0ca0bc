import { businessHours } from '@sp/platform';
import { parseSlaTargets, type SlaTargets } from '../common/sla-targets';
import { dueTimesOf, tokyoMinute } from './sla-due';

const targets = parseSlaTargets('default=8/40,media=2/8') as SlaTargets;
const hours = businessHours({ closures: [{ kind: 'yearly', from: '12-29', to: '01-03' }] });

describe('dueTimesOf', () => {
  it('counts the category target in business hours from an evening submission', () => {
    // Wednesday 20:00 Tokyo: media answers by Thursday 11:00, resolves by Thursday 17:00.
    expect(dueTimesOf(hours, targets, new Date('2026-12-02T20:00:00+09:00'), 'media')).toEqual({
      firstResponseDueAt: new Date('2026-12-03T11:00:00+09:00'),
      resolutionDueAt: new Date('2026-12-03T17:00:00+09:00'),
    });
  });

  it('uses the default for a category without targets, across the year-end closure', () => {
    expect(dueTimesOf(hours, targets, new Date('2026-12-28T10:00:00+09:00'), 'other')).toEqual({
      firstResponseDueAt: new Date('2027-01-04T10:00:00+09:00'),
      resolutionDueAt: new Date('2027-01-08T10:00:00+09:00'),
    });
  });
});

describe('tokyoMinute', () => {
  it('writes the Tokyo wall-clock minute', () => {
    expect(tokyoMinute(new Date('2026-12-02T23:30:00Z'))).toBe('2026-12-03 08:30 JST');
  });
});
