import {
  followUpSchema,
  inquiryFormSchema,
  inquiryReceiptSchema,
  inquiryStatusSchema,
  inquirySubmitSchema,
  statusTokenParamsSchema,
  uuid,
} from '@sp/types';
import { createZodDto } from '@sp/platform';

export class InquirySubmitDto extends createZodDto(inquirySubmitSchema) {}
export class InquiryReceiptDto extends createZodDto(inquiryReceiptSchema) {}
export class InquiryFormDto extends createZodDto(inquiryFormSchema) {}
export class InquiryStatusDto extends createZodDto(inquiryStatusSchema) {}
export class StatusTokenParamsDto extends createZodDto(statusTokenParamsSchema) {}
export class FollowUpDto extends createZodDto(followUpSchema) {}
export class StatusAttachmentParamsDto extends createZodDto(
  statusTokenParamsSchema.extend({ id: uuid() }),
) {}
