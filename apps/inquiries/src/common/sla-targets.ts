/** First-response and resolution targets, in business minutes. */
export type SlaTarget = { firstResponse: number; resolution: number };
export type SlaTargets = { default: SlaTarget; byCategory: Record<string, SlaTarget> };

const ENTRY = /^([a-z][\w-]*)\s*=\s*(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)$/;

/**
 * Parses `category=firstResponseHours/resolutionHours` entries, comma-separated (hours may be
 * fractional: `media=0.5/8`); `default` covers the categories not named and must be given.
 * Targets are kept in business minutes. Returns the first entry it cannot read as `{ error }`.
 */
export function parseSlaTargets(setting: string): SlaTargets | { error: string } {
  let fallback: SlaTarget | undefined;
  const byCategory: Record<string, SlaTarget> = {};
  for (const raw of setting.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const match = ENTRY.exec(entry);
    if (!match)
      return { error: `"${entry}": expected category=firstResponseHours/resolutionHours` };
    const [, category = '', first = '', resolution = ''] = match;
    const target = {
      firstResponse: Math.round(Number(first) * 60),
      resolution: Math.round(Number(resolution) * 60),
    };
    if (target.firstResponse <= 0 || target.resolution <= 0)
      return { error: `"${entry}": targets must be more than 0 hours` };
    if (target.resolution < target.firstResponse)
      return { error: `"${entry}": the resolution target is shorter than the first response` };
    if (category === 'default') fallback = target;
    else byCategory[category] = target;
  }
  if (!fallback) return { error: 'a "default=…/…" entry is required' };
  return { default: fallback, byCategory };
}

/** The targets of `category` (the default when it has none of its own). */
export const slaTargetOf = (targets: SlaTargets, category: string): SlaTarget =>
  targets.byCategory[category] ?? targets.default;
