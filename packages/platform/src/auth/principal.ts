import type { PartnerScope, StaffRole } from '@sp/types';
import { staffRoles } from '@sp/types';

/** Who is calling: a member of staff, a partner's API client, or nobody in particular. */
export type Principal =
  | { kind: 'staff'; sub: string; role: StaffRole }
  | { kind: 'partner'; clientId: string; partnerId: string; scopes: PartnerScope[] }
  | { kind: 'anonymous' };

export const roleRank = (role: StaffRole): number => staffRoles.indexOf(role);

/** The actor recorded in audit rows and logs. */
export function actorOf(principal: Principal): { kind: Principal['kind']; id: string | null } {
  switch (principal.kind) {
    case 'staff':
      return { kind: 'staff', id: principal.sub };
    case 'partner':
      return { kind: 'partner', id: principal.clientId };
    default:
      return { kind: 'anonymous', id: null };
  }
}
