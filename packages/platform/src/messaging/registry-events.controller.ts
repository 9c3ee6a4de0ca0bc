import { Controller, Inject, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { DB } from '@sp/db';
import { type RegistryEventReplay, registryEventReplaySchema } from '@sp/types';
import type { Kysely } from 'kysely';
import { createZodDto } from '../http/zod-dto';
import { AuditLog } from '../audit/audit-log';
import { Roles } from '../auth/decorators';
import { Responds } from '../http/responds.decorator';
import { KYSELY } from '../tokens';
import { RegistryEventConsumer } from './registry-event-consumer';

class RegistryEventReplayDto extends createZodDto(registryEventReplaySchema) {}

@ApiTags('registry-events')
@Controller('registry-events')
export class RegistryEventsController {
  constructor(
    private readonly consumer: RegistryEventConsumer,
    private readonly audit: AuditLog,
    @Inject(KYSELY) private readonly db: Kysely<DB>,
  ) {}

  /**
   * Replays this service's registry events that are not applied yet: those failed for good
   * are tried again, those waiting for a retry are tried now. Safe to repeat.
   */
  @Post('replay')
  @Roles('admin')
  @Responds(200, RegistryEventReplayDto, 401, 403, 503)
  async replay(): Promise<RegistryEventReplay> {
    const result = await this.consumer.replay();
    await this.db.transaction().execute((trx) =>
      this.audit.record(trx, {
        entity: 'registry-events',
        entityId: result.queue,
        action: 'replay',
        after: result,
      }),
    );
    return result;
  }
}
