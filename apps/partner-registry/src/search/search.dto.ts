import { searchPageSchema, searchQuerySchema } from '@sp/types';
import { createZodDto } from '@sp/platform';

export class SearchQueryDto extends createZodDto(searchQuerySchema) {}
export class SearchPageDto extends createZodDto(searchPageSchema) {}
