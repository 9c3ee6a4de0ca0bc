import {
  activityCreateSchema,
  activityListQuerySchema,
  activityPageSchema,
  activitySchema,
  activityUpdateSchema,
  idParamsSchema,
  reviewApproveSchema,
  reviewReturnSchema,
} from '@sp/types';
import { createZodDto } from '@sp/platform';

export class ActivityCreateDto extends createZodDto(activityCreateSchema) {}
export class ActivityUpdateDto extends createZodDto(activityUpdateSchema) {}
export class ActivityListQueryDto extends createZodDto(activityListQuerySchema) {}
export class ActivityIdParamsDto extends createZodDto(idParamsSchema) {}
export class ActivityDto extends createZodDto(activitySchema.extend({})) {}
export class ActivityPageDto extends createZodDto(activityPageSchema) {}
export class ReviewApproveDto extends createZodDto(reviewApproveSchema) {}
export class ReviewReturnDto extends createZodDto(reviewReturnSchema) {}
