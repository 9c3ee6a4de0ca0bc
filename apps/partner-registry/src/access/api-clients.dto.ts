import {
  apiClientCreateSchema,
  apiClientListSchema,
  apiClientSchema,
  apiClientWithSecretSchema,
  clientIdParamsSchema,
  idParamsSchema,
} from '@sp/types';
import { createZodDto } from '@sp/platform';

export class ApiClientCreateDto extends createZodDto(apiClientCreateSchema) {}
export class ApiClientDto extends createZodDto(apiClientSchema.extend({})) {}
export class ApiClientListDto extends createZodDto(apiClientListSchema) {}
export class ApiClientWithSecretDto extends createZodDto(apiClientWithSecretSchema) {}
export class ClientIdParamsDto extends createZodDto(clientIdParamsSchema) {}
export class PartnerIdParamsDto extends createZodDto(idParamsSchema) {}
