import { problemSchema } from '@sp/types';
import { createZodDto } from './zod-dto';

export class ProblemDto extends createZodDto(problemSchema) {}
