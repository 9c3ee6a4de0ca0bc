import { parseSlaTargets, slaTargetOf } from './sla-targets';

describe('parseSlaTargets', () => {
  it('reads hours per category into business minutes, with a default', () => {
    const targets = parseSlaTargets('default=8/40, media=0.5/16');
    expect(targets).toEqual({
      default: { firstResponse: 480, resolution: 2400 },
      byCategory: { media: { firstResponse: 30, resolution: 960 } },
    });
    if ('error' in targets) throw new Error(targets.error);
    expect(slaTargetOf(targets, 'media')).toEqual({ firstResponse: 30, resolution: 960 });
    expect(slaTargetOf(targets, 'other')).toEqual({ firstResponse: 480, resolution: 2400 });
  });

  it('names what it cannot read', () => {
    expect(parseSlaTargets('media=4/16')).toEqual({ error: expect.stringContaining('default') });
    expect(parseSlaTargets('default=8')).toEqual({ error: expect.stringContaining('"default=8"') });
    expect(parseSlaTargets('default=0/8')).toEqual({
      error: expect.stringContaining('more than 0'),
    });
    expect(parseSlaTargets('default=8/4')).toEqual({ error: expect.stringContaining('shorter') });
  });
});
