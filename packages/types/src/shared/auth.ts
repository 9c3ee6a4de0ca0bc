import { z } from 'zod';

/** Staff roles, lowest first: each role may do what the ones before it may. */
export const staffRoles = ['viewer', 'staff', 'admin'] as const;
export const staffRoleSchema = z.enum(staffRoles);
export type StaffRole = z.infer<typeof staffRoleSchema>;

/** What a partner university's API client may be granted. */
export const partnerScopes = [
  'registry:read',
  'activities:write',
  'mobility:write',
  'symposium:register',
  'inquiries:write',
  'reports:read',
] as const;
export const partnerScopeSchema = z.enum(partnerScopes);
export type PartnerScope = z.infer<typeof partnerScopeSchema>;
