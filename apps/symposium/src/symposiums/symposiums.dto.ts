import { idParamsSchema, symposiumListQuerySchema, symposiumListSchema, symposiumSchema } from '@sp/types';
import { createZodDto } from 'nestjs-zod/dto';

export class SymposiumListQueryDto extends createZodDto(symposiumListQuerySchema) {}
export class SymposiumListDto extends createZodDto(symposiumListSchema) {}
export class SymposiumIdParamsDto extends createZodDto(idParamsSchema) {}
export class SymposiumDto extends createZodDto(symposiumSchema) {}
