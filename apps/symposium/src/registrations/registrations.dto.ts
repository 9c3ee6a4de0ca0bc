import {
  checkInSchema,
  idParamsSchema,
  registrationCreateSchema,
  registrationExportQuerySchema,
  registrationIdParamsSchema,
  registrationListQuerySchema,
  registrationPageSchema,
  registrationReceiptSchema,
  registrationSchema,
  registrationSettingsInputSchema,
  registrationSettingsSchema,
  registrationTokenParamsSchema,
} from '@sp/types';
import { createZodDto } from '@sp/platform';

export class SymposiumRegistrationParamsDto extends createZodDto(idParamsSchema) {}
export class RegistrationIdParamsDto extends createZodDto(registrationIdParamsSchema) {}
export class RegistrationTokenParamsDto extends createZodDto(registrationTokenParamsSchema) {}
export class RegistrationSettingsInputDto extends createZodDto(registrationSettingsInputSchema) {}
export class RegistrationSettingsDto extends createZodDto(registrationSettingsSchema) {}
export class RegistrationCreateDto extends createZodDto(registrationCreateSchema) {}
export class RegistrationDto extends createZodDto(registrationSchema.extend({})) {}
export class RegistrationReceiptDto extends createZodDto(registrationReceiptSchema) {}
export class RegistrationListQueryDto extends createZodDto(registrationListQuerySchema) {}
export class RegistrationPageDto extends createZodDto(registrationPageSchema) {}
export class RegistrationExportQueryDto extends createZodDto(registrationExportQuerySchema) {}
export class CheckInDto extends createZodDto(checkInSchema) {}
