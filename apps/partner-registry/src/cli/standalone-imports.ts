import type { DB } from '@sp/db';
import { AuditLog } from '@sp/platform';
import type { Kysely } from 'kysely';
import { ApiClientsRepository } from '../access/api-clients.repository';
import { ApiClientsService } from '../access/api-clients.service';
import { ClientAccessCheck } from '../access/client-access.check';
import { ActivitiesRepository } from '../activities/activities.repository';
import { ActivitiesService } from '../activities/activities.service';
import { AgreementsRepository } from '../agreements/agreements.repository';
import { AgreementsService } from '../agreements/agreements.service';
import { TokyoClock } from '../common/tokyo.clock';
import { configSchema } from '../config';
import { ImportsRepository } from '../imports/imports.repository';
import { ImportsService } from '../imports/imports.service';
import { MobilityRepository } from '../mobility/mobility.repository';
import { MobilityService } from '../mobility/mobility.service';
import { PartnersRepository } from '../partners/partners.repository';
import { PartnersService } from '../partners/partners.service';

/**
 * The import service as the registry app builds it, on a plain database handle, without Nest:
 * the import CLI runs it (and the import's integration test). The caller sets the principal
 * the import is audited as (`requestContext`).
 */
export function standaloneImportsService(db: Kysely<DB>): ImportsService {
  const audit = new AuditLog(db, 'registry');
  // Only the access cache's settings are read; the CLI never answers requests.
  const config = configSchema.parse({ DATABASE_URL: process.env['DATABASE_URL'] });
  const partners = new PartnersService(
    new PartnersRepository(db),
    new AgreementsService(new AgreementsRepository(db), audit, new TokyoClock(), config),
    audit,
    new ApiClientsService(new ApiClientsRepository(db), audit, new ClientAccessCheck(db, config)),
  );
  return new ImportsService(
    new ImportsRepository(db),
    audit,
    partners,
    new ActivitiesService(new ActivitiesRepository(db), audit),
    new MobilityService(new MobilityRepository(db), audit),
  );
}
