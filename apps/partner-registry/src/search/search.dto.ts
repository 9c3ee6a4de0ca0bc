import { searchPageSchema, searchQuerySchema } from '@sp/types';
import { createZodDto } from 'nestjs-zod/dto';

export class SearchQueryDto extends createZodDto(searchQuerySchema) {}
export class SearchPageDto extends createZodDto(searchPageSchema) {}
