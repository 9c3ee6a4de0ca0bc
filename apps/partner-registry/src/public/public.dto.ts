import {
  idParamsSchema,
  publicActivityPageSchema,
  publicActivityQuerySchema,
  publicActivitySchema,
  publicPartnerListSchema,
} from '@sp/types';
import { createZodDto } from '@sp/platform';

export class PublicPartnerListDto extends createZodDto(publicPartnerListSchema) {}
export class PublicActivityQueryDto extends createZodDto(publicActivityQuerySchema) {}
export class PublicActivityPageDto extends createZodDto(publicActivityPageSchema) {}
export class PublicActivityDto extends createZodDto(publicActivitySchema.extend({})) {}
export class PublicActivityIdParamsDto extends createZodDto(idParamsSchema) {}
