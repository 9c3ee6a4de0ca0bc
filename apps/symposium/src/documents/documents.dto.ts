import {
  symposiumDocumentCreateSchema,
  symposiumDocumentRecordSchema,
  symposiumDocumentUpdateSchema,
  uuid,
} from '@sp/types';
import { createZodDto } from '@sp/platform';
import { z } from 'zod';

export class DocumentParamsDto extends createZodDto(z.object({ id: uuid(), documentId: uuid() })) {}
export class DocumentCreateDto extends createZodDto(symposiumDocumentCreateSchema) {}
export class DocumentUpdateDto extends createZodDto(symposiumDocumentUpdateSchema) {}
// A copy without the component id (the record is also nested in SymposiumRecord).
export class DocumentRecordDto extends createZodDto(symposiumDocumentRecordSchema.extend({})) {}
