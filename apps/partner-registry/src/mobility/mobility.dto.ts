import {
  idParamsSchema,
  mobilityCreateSchema,
  mobilityListQuerySchema,
  mobilityPageSchema,
  mobilityRecordSchema,
  mobilityTotalsQuerySchema,
  mobilityTotalsSchema,
  mobilityUpdateSchema,
} from '@sp/types';
import { createZodDto } from '@sp/platform';

export class MobilityCreateDto extends createZodDto(mobilityCreateSchema) {}
export class MobilityUpdateDto extends createZodDto(mobilityUpdateSchema) {}
export class MobilityListQueryDto extends createZodDto(mobilityListQuerySchema) {}
export class MobilityIdParamsDto extends createZodDto(idParamsSchema) {}
export class MobilityRecordDto extends createZodDto(mobilityRecordSchema.extend({})) {}
export class MobilityPageDto extends createZodDto(mobilityPageSchema) {}
export class MobilityTotalsQueryDto extends createZodDto(mobilityTotalsQuerySchema) {}
export class MobilityTotalsDto extends createZodDto(mobilityTotalsSchema) {}
