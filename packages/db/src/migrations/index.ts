import type { Migration } from 'kysely/migration';
import * as inquiries0001 from './inquiries/0001-schema';
import * as inquiries0004 from './inquiries/0004-partner-version';
import * as inquiries0005 from './inquiries/0005-inquiries';
import * as inquiries0007 from './inquiries/0007-submission-order';
import * as inquiries0008 from './inquiries/0008-sla';
import * as inquiries0009 from './inquiries/0009-canned-responses';
import * as inquiries0010 from './inquiries/0010-report-views';
import * as inquiries0011 from './inquiries/0011-inbound-message-id';
import * as inquiries0012 from './inquiries/0012-reply-idempotency';
import * as inquiries0013 from './inquiries/0013-submission-idempotency';
import * as notifications0001 from './notifications/0001-schema';
import * as notifications0002 from './notifications/0002-deliveries';
import * as notifications0003 from './notifications/0003-delivery-job';
import * as notifications0004 from './notifications/0004-delivery-claims';
import * as notifications0005 from './notifications/0005-dashboard-audit';
import * as notifications0006 from './notifications/0006-delivery-retention';
import * as notifications0007 from './notifications/0007-recipients-lowered';
import { auditMigration } from './audit';
import { consumerMigration, outboxMigration } from './outbox';
import * as registry0001 from './registry/0001-partners';
import * as registry0002 from './registry/0002-access';
import * as registry0005 from './registry/0005-partner-version';
import * as registry0006 from './registry/0006-partner-profile';
import * as registry0007 from './registry/0007-agreements';
import * as registry0008 from './registry/0008-people';
import * as registry0009 from './registry/0009-activities';
import * as registry0010 from './registry/0010-mobility';
import * as registry0011 from './registry/0011-funding';
import * as registry0012 from './registry/0012-search';
import * as registry0013 from './registry/0013-report-views';
import * as registry0014 from './registry/0014-agreement-title-key';
import * as registry0015 from './registry/0015-mobility-programme-key';
import * as registry0016 from './registry/0016-search-public-leads';
import * as reports0001 from './reports/0001-schema';
import * as reports0002 from './reports/0002-runs';
import * as reports0004 from './reports/0004-partner-runs-expire';
import * as symposium0001 from './symposium/0001-symposiums';
import * as symposium0004 from './symposium/0004-partner-version';
import * as symposium0005 from './symposium/0005-symposium-details';
import * as symposium0006 from './symposium/0006-programme';
import * as symposium0007 from './symposium/0007-documents';
import * as symposium0008 from './symposium/0008-registrations';
import * as symposium0009 from './symposium/0009-report-views';
import * as symposium0010 from './symposium/0010-room-key';
import * as symposium0011 from './symposium/0011-reminder-start';

/**
 * Migrations per schema, in the order the schemas are migrated. Each schema keeps its own
 * migration table (`<schema>.kysely_migration`) so services evolve independently. Listed
 * statically (not read from a folder) so the same code runs from `dist`, from Jest and from
 * a bundle. A new migration: add the file, then its line here.
 */
export const migrationsBySchema: Record<string, Record<string, Migration>> = {
  registry: {
    '0001-partners': registry0001,
    '0002-access': registry0002,
    '0003-audit': auditMigration('registry'),
    '0004-outbox': outboxMigration('registry'),
    '0005-partner-version': registry0005,
    '0006-partner-profile': registry0006,
    '0007-agreements': registry0007,
    '0008-people': registry0008,
    '0009-activities': registry0009,
    '0010-mobility': registry0010,
    '0011-funding': registry0011,
    '0012-search': registry0012,
    '0013-report-views': registry0013,
    '0014-agreement-title-key': registry0014,
    '0015-mobility-programme-key': registry0015,
    '0016-search-public-leads': registry0016,
  },
  symposium: {
    '0001-symposiums': symposium0001,
    '0002-audit': auditMigration('symposium'),
    '0003-registry-events': consumerMigration('symposium'),
    '0004-partner-version': symposium0004,
    '0005-symposium-details': symposium0005,
    '0006-programme': symposium0006,
    '0007-documents': symposium0007,
    '0008-registrations': symposium0008,
    '0009-report-views': symposium0009,
    '0010-room-key': symposium0010,
    '0011-reminder-start': symposium0011,
  },
  inquiries: {
    '0001-schema': inquiries0001,
    '0002-audit': auditMigration('inquiries'),
    '0003-registry-events': consumerMigration('inquiries'),
    '0004-partner-version': inquiries0004,
    '0005-inquiries': inquiries0005,
    '0006-outbox': outboxMigration('inquiries'),
    '0007-submission-order': inquiries0007,
    '0008-sla': inquiries0008,
    '0009-canned-responses': inquiries0009,
    '0010-report-views': inquiries0010,
    '0011-inbound-message-id': inquiries0011,
    '0012-reply-idempotency': inquiries0012,
    '0013-submission-idempotency': inquiries0013,
  },
  notifications: {
    '0001-schema': notifications0001,
    '0002-deliveries': notifications0002,
    '0003-delivery-job': notifications0003,
    '0004-delivery-claims': notifications0004,
    '0005-dashboard-audit': notifications0005,
    '0006-delivery-retention': notifications0006,
    '0007-recipients-lowered': notifications0007,
  },
  reports: {
    '0001-schema': reports0001,
    '0002-runs': reports0002,
    '0003-outbox': outboxMigration('reports'),
    '0004-partner-runs-expire': reports0004,
  },
};

export const schemas = Object.keys(migrationsBySchema);
