import {
  deskMessageCreateSchema,
  idParamsSchema,
  inquiryDetailSchema,
  inquiryListQuerySchema,
  inquiryMergeSchema,
  inquiryPageSchema,
  inquiryUpdateSchema,
} from '@sp/types';
import { createZodDto } from '@sp/platform';

export class InquiryListQueryDto extends createZodDto(inquiryListQuerySchema) {}
export class InquiryPageDto extends createZodDto(inquiryPageSchema) {}
export class InquiryDetailDto extends createZodDto(inquiryDetailSchema) {}
export class InquiryIdParamsDto extends createZodDto(idParamsSchema) {}
export class InquiryUpdateDto extends createZodDto(inquiryUpdateSchema) {}
export class DeskMessageCreateDto extends createZodDto(deskMessageCreateSchema) {}
export class InquiryMergeDto extends createZodDto(inquiryMergeSchema) {}
