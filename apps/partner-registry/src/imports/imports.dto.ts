import { importParamsSchema, importQuerySchema, importReportSchema } from '@sp/types';
import { createZodDto } from '@sp/platform';

export class ImportParamsDto extends createZodDto(importParamsSchema) {}
export class ImportQueryDto extends createZodDto(importQuerySchema) {}
export class ImportReportDto extends createZodDto(importReportSchema) {}
