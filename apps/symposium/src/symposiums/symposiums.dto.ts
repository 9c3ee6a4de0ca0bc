import {
  idParamsSchema,
  symposiumListQuerySchema,
  symposiumListSchema,
  symposiumSchema,
} from '@sp/types';
import { createZodDto } from '@sp/platform';

export class SymposiumListQueryDto extends createZodDto(symposiumListQuerySchema) {}
export class SymposiumListDto extends createZodDto(symposiumListSchema) {}
export class SymposiumIdParamsDto extends createZodDto(idParamsSchema) {}
// A copy without the `Symposium` component id: a schema nested elsewhere by id cannot also be a
// whole response under that name (nestjs-zod sees two schemas of one name).
export class SymposiumDto extends createZodDto(symposiumSchema.extend({})) {}
