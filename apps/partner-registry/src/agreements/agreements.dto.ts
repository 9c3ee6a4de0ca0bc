import {
  agreementCreateSchema,
  agreementListQuerySchema,
  agreementListSchema,
  agreementRenewalCreateSchema,
  agreementSearchQuerySchema,
  agreementDetailSchema,
  agreementUpdateSchema,
  idParamsSchema,
} from '@sp/types';
import { createZodDto } from '@sp/platform';

export class AgreementCreateDto extends createZodDto(agreementCreateSchema) {}
export class AgreementUpdateDto extends createZodDto(agreementUpdateSchema) {}
export class AgreementRenewalCreateDto extends createZodDto(agreementRenewalCreateSchema) {}
export class AgreementListQueryDto extends createZodDto(agreementListQuerySchema) {}
export class AgreementSearchQueryDto extends createZodDto(agreementSearchQuerySchema) {}
export class AgreementIdParamsDto extends createZodDto(idParamsSchema) {}
export class AgreementDetailDto extends createZodDto(agreementDetailSchema) {}
export class AgreementListDto extends createZodDto(agreementListSchema) {}
