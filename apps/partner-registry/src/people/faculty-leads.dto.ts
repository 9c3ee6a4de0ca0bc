import {
  facultyLeadCreateSchema,
  facultyLeadListQuerySchema,
  facultyLeadPageSchema,
  facultyLeadSchema,
  facultyLeadUpdateSchema,
  idParamsSchema,
} from '@sp/types';
import { createZodDto } from '@sp/platform';

export class FacultyLeadCreateDto extends createZodDto(facultyLeadCreateSchema) {}
export class FacultyLeadUpdateDto extends createZodDto(facultyLeadUpdateSchema) {}
export class FacultyLeadListQueryDto extends createZodDto(facultyLeadListQuerySchema) {}
export class FacultyLeadIdParamsDto extends createZodDto(idParamsSchema) {}
export class FacultyLeadDto extends createZodDto(facultyLeadSchema) {}
export class FacultyLeadPageDto extends createZodDto(facultyLeadPageSchema) {}
