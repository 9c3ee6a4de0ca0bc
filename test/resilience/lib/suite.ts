/**
 * `RESILIENCE_QUICK=1` (what `npm test` sets) runs the fault suite's short variant: the same
 * faults and assertions with shorter outages and fewer messages, so the whole suite stays
 * within minutes. `npm run test:resilience` runs the full one.
 */
export const quick = process.env['RESILIENCE_QUICK'] === '1';

/** An injected outage's length: as the issue states it, or a quarter of it (at least 5 s) when quick. */
export const outageMs = (full: number): number => (quick ? Math.max(5_000, full / 4) : full);

/** A message count: as the issue states it, or a tenth of it when quick. */
export const messageCount = (full: number): number => (quick ? Math.ceil(full / 10) : full);
