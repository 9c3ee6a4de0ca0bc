import {
  programmeDraftSchema,
  programmeSchema,
  sessionCreateSchema,
  sessionIdParamsSchema,
  sessionRecordSchema,
  sessionUpdateSchema,
} from '@sp/types';
import { createZodDto } from '@sp/platform';

export class ProgrammeDto extends createZodDto(programmeSchema) {}
export class ProgrammeDraftDto extends createZodDto(programmeDraftSchema) {}
export class SessionParamsDto extends createZodDto(sessionIdParamsSchema) {}
export class SessionCreateDto extends createZodDto(sessionCreateSchema) {}
export class SessionUpdateDto extends createZodDto(sessionUpdateSchema) {}
// A copy without the component id (the record is also nested in ProgrammeDraft).
export class SessionRecordDto extends createZodDto(sessionRecordSchema.extend({})) {}
