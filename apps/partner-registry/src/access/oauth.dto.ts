import { jwksSchema, tokenResponseSchema } from '@sp/types';
import { createZodDto } from '@sp/platform';

export class TokenResponseDto extends createZodDto(tokenResponseSchema) {}
export class JwksDto extends createZodDto(jwksSchema) {}
