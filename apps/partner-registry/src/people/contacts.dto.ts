import {
  contactCreateSchema,
  contactListQuerySchema,
  contactPageSchema,
  contactSchema,
  contactUpdateSchema,
  idParamsSchema,
} from '@sp/types';
import { createZodDto } from '@sp/platform';

export class ContactCreateDto extends createZodDto(contactCreateSchema) {}
export class ContactUpdateDto extends createZodDto(contactUpdateSchema) {}
export class ContactListQueryDto extends createZodDto(contactListQuerySchema) {}
export class ContactIdParamsDto extends createZodDto(idParamsSchema) {}
export class ContactDto extends createZodDto(contactSchema) {}
export class ContactPageDto extends createZodDto(contactPageSchema) {}
