import {
  cannedResponseCreateSchema,
  cannedResponseListSchema,
  cannedResponseSchema,
  cannedResponseUpdateSchema,
  idParamsSchema,
} from '@sp/types';
import { createZodDto } from '@sp/platform';

export class CannedResponseCreateDto extends createZodDto(cannedResponseCreateSchema) {}
export class CannedResponseUpdateDto extends createZodDto(cannedResponseUpdateSchema) {}
export class CannedResponseDto extends createZodDto(cannedResponseSchema) {}
export class CannedResponseListDto extends createZodDto(cannedResponseListSchema) {}
export class CannedResponseIdParamsDto extends createZodDto(idParamsSchema) {}
