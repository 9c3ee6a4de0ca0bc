import { Module } from '@nestjs/common';
import { MessagingModule } from '@sp/platform';
import { PartnerSnapshotHandler } from './partner-snapshot.handler';

/**
 * Symposium's copy of the registry's partners (`symposium.partner`), fed by the registry's events;
 * partner tokens are checked against it (`partnerSnapshotAccess` in the app module).
 */
@Module({ imports: [MessagingModule.registryEvents('symposium', PartnerSnapshotHandler)] })
export class PartnerSnapshotsModule {}
