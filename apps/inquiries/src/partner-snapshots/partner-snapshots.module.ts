import type { DynamicModule } from '@nestjs/common';
import { MessagingModule } from '@sp/platform';
import { PartnerSnapshotHandler } from './partner-snapshot.handler';

/**
 * Inquiries's copy of the registry's partners (`inquiries.partner`), fed by the registry's events;
 * partner tokens are checked against it (`partnerSnapshotAccess` in the app module). The
 * platform's consumer itself, not a module around it: imported by the app module directly, it
 * starts (and runs its first prune) where it always has among the app's modules.
 */
export const PartnerSnapshotsModule: DynamicModule = MessagingModule.registryEvents(
  'inquiries',
  PartnerSnapshotHandler,
);
