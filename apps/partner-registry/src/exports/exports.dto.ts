import { partnerExportQuerySchema } from '@sp/types';
import { createZodDto } from 'nestjs-zod/dto';

export class PartnerExportQueryDto extends createZodDto(partnerExportQuerySchema) {}
