import {
  archiveSchema,
  idParamsSchema,
  symposiumCreateSchema,
  symposiumListQuerySchema,
  symposiumListSchema,
  symposiumReadQuerySchema,
  symposiumRecordSchema,
  symposiumSchema,
  symposiumStatusChangeSchema,
  symposiumUpdateSchema,
} from '@sp/types';
import { createZodDto } from 'nestjs-zod/dto';

export class SymposiumListQueryDto extends createZodDto(symposiumListQuerySchema) {}
export class SymposiumReadQueryDto extends createZodDto(symposiumReadQuerySchema) {}
export class SymposiumListDto extends createZodDto(symposiumListSchema) {}
export class ArchiveDto extends createZodDto(archiveSchema) {}
export class SymposiumIdParamsDto extends createZodDto(idParamsSchema) {}
// Copies without the component id: a schema nested elsewhere by id cannot also be a whole
// response under that name (nestjs-zod sees two schemas of one name).
export class SymposiumDto extends createZodDto(symposiumSchema.extend({})) {}
export class SymposiumRecordDto extends createZodDto(symposiumRecordSchema.extend({})) {}
export class SymposiumCreateDto extends createZodDto(symposiumCreateSchema) {}
export class SymposiumUpdateDto extends createZodDto(symposiumUpdateSchema) {}
export class SymposiumStatusChangeDto extends createZodDto(symposiumStatusChangeSchema) {}
