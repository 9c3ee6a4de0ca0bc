import { problemSchema } from '@sp/types';
import { createZodDto } from 'nestjs-zod/dto';

export class ProblemDto extends createZodDto(problemSchema) {}
