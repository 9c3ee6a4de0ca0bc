import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type AuditPage, auditPageSchema, auditQuerySchema } from '@sp/types';
import { createZodDto } from '../http/zod-dto';
import { Roles } from '../auth/decorators';
import { Responds } from '../http/responds.decorator';
import { AuditLog } from './audit-log';

class AuditQueryDto extends createZodDto(auditQuerySchema) {}
class AuditPageDto extends createZodDto(auditPageSchema) {}

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  /** Who changed an entity, when, and how (`before`/`after`), newest first. Admins only. */
  @Get()
  @Roles('admin')
  @Responds(200, AuditPageDto, 401, 403)
  list(@Query() query: AuditQueryDto): Promise<AuditPage> {
    return this.audit.list(query);
  }
}
