import { importParamsSchema, importQuerySchema, importReportSchema } from '@sp/types';
import { createZodDto } from 'nestjs-zod/dto';

export class ImportParamsDto extends createZodDto(importParamsSchema) {}
export class ImportQueryDto extends createZodDto(importQuerySchema) {}
export class ImportReportDto extends createZodDto(importReportSchema) {}
