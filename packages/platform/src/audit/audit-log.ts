import { Inject, Injectable } from '@nestjs/common';
import { type AuditedSchema, type DB, precompiled, type SlotOf } from '@sp/db';
import type { AuditEntry, AuditPage, AuditQuery } from '@sp/types';
import type { Kysely, Transaction } from 'kysely';
import { actorOf } from '../auth/principal';
import { requestContext } from '../auth/request-context';
import { KYSELY } from '../tokens';

export const AUDIT_SCHEMA = Symbol('AUDIT_SCHEMA');

/** An audit row's columns, each given (`null` for none). */
type AuditValues = {
  actorKind: ReturnType<typeof actorOf>['kind'];
  actorId: string | null;
  entity: string;
  entityId: string;
  action: string;
  before: string | null;
  after: string | null;
  requestId: string | null;
};

export type AuditRecord = {
  entity: string;
  entityId: string;
  action: string;
  before?: unknown;
  after?: unknown;
};

/**
 * The service's audit trail. `record` writes in the caller's transaction, so a change and its
 * audit row commit together or not at all; the actor comes from the request context.
 */
@Injectable()
export class AuditLog {
  constructor(
    @Inject(KYSELY) private readonly db: Kysely<DB>,
    @Inject(AUDIT_SCHEMA) private readonly schema: AuditedSchema,
  ) {}

  private get table() {
    // Every audited schema has the same table; the registry's stands for them all in types.
    return `${this.schema}.auditLog` as 'registry.auditLog';
  }

  /** Every change writes one: the same statement each time, compiled once. */
  private readonly insert = precompiled((db, slot: SlotOf<AuditValues>) =>
    db.insertInto(this.table).values({
      actorKind: slot('actorKind'),
      actorId: slot('actorId'),
      entity: slot('entity'),
      entityId: slot('entityId'),
      action: slot('action'),
      before: slot('before'),
      after: slot('after'),
      requestId: slot('requestId'),
    }),
  );

  async record(trx: Transaction<DB>, entry: AuditRecord): Promise<void> {
    const actor = actorOf(requestContext.principal());
    await this.insert(trx, {
      actorKind: actor.kind,
      actorId: actor.id,
      entity: entry.entity,
      entityId: entry.entityId,
      action: entry.action,
      before: entry.before === undefined ? null : JSON.stringify(entry.before),
      after: entry.after === undefined ? null : JSON.stringify(entry.after),
      requestId: requestContext.requestId() ?? null,
    });
  }

  /** An entity's history, newest first. */
  async list(query: AuditQuery): Promise<AuditPage> {
    let q = this.db
      .selectFrom(this.table)
      .selectAll()
      .where('entity', '=', query.entity)
      .where('entityId', '=', query.entityId)
      .orderBy('id', 'desc')
      .limit(query.limit + 1);
    if (query.before) q = q.where('id', '<', String(query.before));
    const rows = await q.execute();
    const items = rows.slice(0, query.limit).map((r): AuditEntry => ({
      id: String(r.id),
      at: r.at.toISOString(),
      actor: { kind: r.actorKind, id: r.actorId },
      entity: r.entity,
      entityId: r.entityId,
      action: r.action,
      before: r.before,
      after: r.after,
      requestId: r.requestId,
    }));
    return { items, nextCursor: rows.length > query.limit ? (items.at(-1)?.id ?? null) : null };
  }
}
