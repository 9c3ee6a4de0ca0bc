import {
  idParamsSchema,
  partnerCreateSchema,
  partnerDetailSchema,
  partnerListQuerySchema,
  partnerPageSchema,
  partnerUpdateSchema,
} from '@sp/types';
import { createZodDto } from '@sp/platform';

export class PartnerCreateDto extends createZodDto(partnerCreateSchema) {}
export class PartnerUpdateDto extends createZodDto(partnerUpdateSchema) {}
export class PartnerListQueryDto extends createZodDto(partnerListQuerySchema) {}
export class PartnerIdParamsDto extends createZodDto(idParamsSchema) {}
export class PartnerDetailDto extends createZodDto(partnerDetailSchema) {}
export class PartnerPageDto extends createZodDto(partnerPageSchema) {}
