import type { PartnerScope, StaffRole } from '@sp/types';
import { staffRoles } from '@sp/types';

/** Who is calling: a member of staff, a partner's API client, or nobody in particular. */
export type Principal =
  | { kind: 'staff'; sub: string; role: StaffRole }
  | {
      kind: 'partner';
      clientId: string;
      partnerId: string;
      scopes: PartnerScope[];
      /**
       * When the client's secret the token was issued for was set (its last rotation, epoch
       * ms; 0: the secret it was created with). The registry refuses a token whose client has
       * rotated its secret since. Absent from tokens signed before the claim existed.
       */
      secretRotatedAt?: number;
    }
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
