import {
  fundingCreateSchema,
  fundingListQuerySchema,
  fundingPageSchema,
  fundingSchema,
  fundingUpdateSchema,
  idParamsSchema,
} from '@sp/types';
import { createZodDto } from '@sp/platform';

export class FundingCreateDto extends createZodDto(fundingCreateSchema) {}
export class FundingUpdateDto extends createZodDto(fundingUpdateSchema) {}
export class FundingListQueryDto extends createZodDto(fundingListQuerySchema) {}
export class FundingIdParamsDto extends createZodDto(idParamsSchema) {}
export class FundingDto extends createZodDto(fundingSchema.extend({})) {}
export class FundingPageDto extends createZodDto(fundingPageSchema) {}
