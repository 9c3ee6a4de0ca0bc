/**
 * The demo data: public facts about the University of Tokyo's Strategic Partnerships
 * Project (its programme page and public news about it). Tests may rely on these rows.
 */

export const programme = {
  name: 'Strategic Partnerships Project of the University of Tokyo (UTokyo)',
  foundations:
    'Builds on department-level strategic partnership frameworks set up between 2014 and 2016.',
  supportedBy: 'Division for Global Campus Initiatives',
  symposiumsHeldBy: 'Division of International Affairs',
  inquiriesTo: 'International Projects Promotion Group',
  campuses: ['hongo', 'komaba', 'kashiwa'],
  primaryPartnerSlots: 9,
  reports: [{ title: 'Second UTokyo Strategic Partnership Report', issuedOn: '2016-06-16' }],
} as const;

export type { SeedAgreement, SeedPartner } from './registry';
export { partners } from './registry';
export type { SeedDocument, SeedSymposium } from './symposium';
export { symposiums } from './symposium';
