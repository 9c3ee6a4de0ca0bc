import {
  activityExportQuerySchema,
  fundingExportQuerySchema,
  mobilityExportQuerySchema,
  partnerExportQuerySchema,
} from '@sp/types';
import { createZodDto } from '@sp/platform';

export class PartnerExportQueryDto extends createZodDto(partnerExportQuerySchema) {}
export class ActivityExportQueryDto extends createZodDto(activityExportQuerySchema) {}
export class MobilityExportQueryDto extends createZodDto(mobilityExportQuerySchema) {}
export class FundingExportQueryDto extends createZodDto(fundingExportQuerySchema) {}
