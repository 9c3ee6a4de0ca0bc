import { jwksSchema, tokenResponseSchema } from '@sp/types';
import { createZodDto } from 'nestjs-zod/dto';

export class TokenResponseDto extends createZodDto(tokenResponseSchema) {}
export class JwksDto extends createZodDto(jwksSchema) {}
