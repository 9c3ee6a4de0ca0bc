import type { Principal } from '@sp/platform';
import { canonicalJson, checkMayRequest, paramsKeyOf } from './report-request';

const partner = (partnerId: string): Principal => ({
  kind: 'partner',
  clientId: 'c',
  partnerId,
  scopes: ['reports:read'],
});
const A = '0a000000-0000-4000-8000-00000000000a';
const B = '0b000000-0000-4000-8000-00000000000b';

describe('report requests', () => {
  it('keys a request by kind, format and parameters, whatever their order', () => {
    expect(canonicalJson({ to: '2026-03', from: '2026-01', x: { b: 1, a: [2, 'c'] } })).toBe(
      '{"from":"2026-01","to":"2026-03","x":{"a":[2,"c"],"b":1}}',
    );
    const a = paramsKeyOf({
      kind: 'inquiry-statistics',
      format: 'csv',
      params: { from: '2026-01', to: '2026-03' },
    });
    const b = paramsKeyOf({
      kind: 'inquiry-statistics',
      format: 'csv',
      params: { to: '2026-03', from: '2026-01' },
    });
    expect(a).toBe(b);
    expect(a).not.toBe(
      paramsKeyOf({
        kind: 'inquiry-statistics',
        format: 'pdf',
        params: { from: '2026-01', to: '2026-03' },
      }),
    );
  });

  it('lets staff ask for anything and a partner only for reports about itself', () => {
    expect(() => checkMayRequest({ kind: 'staff', sub: 's', role: 'viewer' }, null)).not.toThrow();
    expect(() => checkMayRequest(partner(A), A)).not.toThrow();
    expect(() => checkMayRequest(partner(A), B)).toThrow(
      expect.objectContaining({ code: 'not-found' }),
    );
    expect(() => checkMayRequest(partner(A), null)).toThrow(
      expect.objectContaining({ code: 'forbidden' }),
    );
  });
});
