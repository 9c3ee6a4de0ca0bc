import {
  type Activity,
  activityLinkSchema,
  type ActivitySnapshot,
  type PublicActivity,
} from '@sp/types';
import { z } from 'zod';
import type { ActivityRow, ActivityTableRow } from './activities.repository';

const linksSchema = z.array(activityLinkSchema);

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toActivity(row: ActivityRow): Activity {
  return {
    id: row.id,
    partnerId: row.partnerId,
    partnerNameEn: row.partnerNameEn,
    type: row.type,
    titleEn: row.titleEn,
    titleJa: row.titleJa,
    summaryEn: row.summaryEn,
    summaryJa: row.summaryJa,
    departments: row.departments,
    leads: row.leads,
    startsOn: row.startsOn,
    endsOn: row.endsOn,
    status: row.status,
    isPublic: row.isPublic,
    links: linksSchema.parse(row.links),
    outputs: row.outputs,
    reviewStatus: row.reviewStatus,
    reviewComment: row.reviewComment,
    reviewedAt: iso(row.reviewedAt),
    submittedAt: iso(row.submittedAt),
    publishedAt: iso(row.publishedAt),
    reportedBy: row.reportedBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    version: Number(row.version),
  };
}

/** The payload of `activity.*` events. */
export const toActivitySnapshot = (row: ActivityTableRow): ActivitySnapshot => ({
  id: row.id,
  partnerId: row.partnerId,
  type: row.type,
  titleEn: row.titleEn,
  titleJa: row.titleJa,
  status: row.status,
  reviewStatus: row.reviewStatus,
  isPublic: row.isPublic,
  publishedAt: iso(row.publishedAt),
  reportedBy: row.reportedBy,
  updatedAt: row.updatedAt.toISOString(),
  version: Number(row.version),
});

/** What the programme page shows: no leads (people's names), no review details. */
export function toPublicActivity(row: ActivityRow & { publishedAt: Date }): PublicActivity {
  return {
    id: row.id,
    partner: {
      id: row.partnerId,
      nameEn: row.partnerNameEn,
      nameJa: row.partnerNameJa,
      country: row.partnerCountry,
    },
    type: row.type,
    titleEn: row.titleEn,
    titleJa: row.titleJa,
    summaryEn: row.summaryEn,
    summaryJa: row.summaryJa,
    departments: row.departments,
    startsOn: row.startsOn,
    endsOn: row.endsOn,
    status: row.status,
    links: linksSchema.parse(row.links),
    publishedAt: row.publishedAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
