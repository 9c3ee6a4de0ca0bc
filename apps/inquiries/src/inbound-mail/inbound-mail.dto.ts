import {
  idParamsSchema,
  inboundAssignSchema,
  inboundListSchema,
  inboundMessageSchema,
  inboundQuerySchema,
} from '@sp/types';
import { createZodDto } from '@sp/platform';

export class InboundQueryDto extends createZodDto(inboundQuerySchema) {}
export class InboundListDto extends createZodDto(inboundListSchema) {}
export class InboundMessageDto extends createZodDto(inboundMessageSchema) {}
export class InboundAssignDto extends createZodDto(inboundAssignSchema) {}
export class InboundIdParamsDto extends createZodDto(idParamsSchema) {}
