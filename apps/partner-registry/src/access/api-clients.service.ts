import { Injectable } from '@nestjs/common';
import { AppError, AuditLog, requestContext } from '@sp/platform';
import type { ApiClient, ApiClientCreate, ApiClientList, ApiClientWithSecret } from '@sp/types';
import type { DB } from '@sp/db';
import type { Transaction, Updateable } from 'kysely';
import { toApiClient } from './api-clients.mapper';
import { type ApiClientRow, ApiClientsRepository } from './api-clients.repository';
import { ClientAccessCheck } from './client-access.check';
import { hashSecret, newClientSecret } from './secrets';

/** Partner API clients: created by admins for one partner, secret shown once, stored hashed. */
@Injectable()
export class ApiClientsService {
  constructor(
    private readonly repo: ApiClientsRepository,
    private readonly audit: AuditLog,
    private readonly access: ClientAccessCheck,
  ) {}

  async create(partnerId: string, input: ApiClientCreate): Promise<ApiClientWithSecret> {
    if (!(await this.repo.partnerExists(partnerId))) throw AppError.notFound('partner', partnerId);
    const principal = requestContext.principal();
    const clientSecret = newClientSecret();
    const secretHash = await hashSecret(clientSecret);
    return this.repo.transaction(async (trx) => {
      const status = await this.repo.partnerStatusForShare(trx, partnerId);
      if (status === undefined) throw AppError.notFound('partner', partnerId);
      if (status === 'ended')
        throw new AppError(
          'conflict',
          `partner ${partnerId} has ended its partnership; it cannot get API clients`,
        );
      const row = await this.repo.insert(trx, {
        partnerId,
        name: input.name,
        scopes: [...new Set(input.scopes)],
        secretHash,
        createdBy: principal.kind === 'staff' ? principal.sub : 'unknown',
      });
      const client = toApiClient(row);
      await this.audit.record(trx, {
        entity: 'api-client',
        entityId: row.id,
        action: 'create',
        after: client,
      });
      return { client, clientSecret };
    });
  }

  async list(partnerId: string): Promise<ApiClientList> {
    if (!(await this.repo.partnerExists(partnerId))) throw AppError.notFound('partner', partnerId);
    return { items: (await this.repo.listForPartner(partnerId)).map(toApiClient) };
  }

  /**
   * A new secret; the old one stops working at once, and so do the tokens issued for it: at
   * once on this replica, within AUTH_PARTNER_ACCESS_CACHE_MS on the others (a leaked secret's
   * tokens must not outlive the rotation by their ten minutes).
   */
  async rotate(clientId: string): Promise<ApiClientWithSecret> {
    const clientSecret = newClientSecret();
    const secretHash = await hashSecret(clientSecret);
    const client = await this.change(clientId, 'rotate-secret', (current) => {
      if (current.revokedAt) {
        throw new AppError(
          'conflict',
          'a revoked client cannot get a new secret; create a new client',
        );
      }
      return { secretHash, rotatedAt: new Date() };
    });
    this.access.forget([clientId]);
    return { client, clientSecret };
  }

  /**
   * Revoked clients get no new tokens, and their tokens already issued stop working on the
   * registry within AUTH_PARTNER_ACCESS_CACHE_MS (at once on this replica). Idempotent.
   */
  async revoke(clientId: string): Promise<ApiClient> {
    const client = await this.change(clientId, 'revoke', (current) =>
      current.revokedAt ? undefined : { revokedAt: new Date() },
    );
    this.access.forget([clientId]);
    return client;
  }

  /**
   * Revokes every client of a partner whose partnership is ending, each audited like a single
   * revocation, in the caller's transaction. Returns their ids for `forgetAccess` once the
   * transaction has committed.
   */
  async revokeAllForPartner(trx: Transaction<DB>, partnerId: string): Promise<string[]> {
    const active = await this.repo.activeForPartnerForUpdate(trx, partnerId);
    const revokedAt = new Date();
    for (const current of active) {
      const client = toApiClient(await this.repo.update(trx, current.id, { revokedAt }));
      await this.audit.record(trx, {
        entity: 'api-client',
        entityId: current.id,
        action: 'revoke',
        before: toApiClient(current),
        after: client,
      });
    }
    return active.map((c) => c.id);
  }

  /** This replica stops trusting what it knew of these clients' access (after a commit). */
  forgetAccess(clientIds: readonly string[]): void {
    this.access.forget(clientIds);
  }

  /**
   * Locks the client, applies what `decide` returns (nothing: leave it as it is) and records
   * the change in the audit log, all in one transaction.
   */
  private change(
    clientId: string,
    action: string,
    decide: (current: ApiClientRow) => Updateable<DB['registry.apiClient']> | undefined,
  ): Promise<ApiClient> {
    return this.repo.transaction(async (trx) => {
      const current = await this.repo.findByIdForUpdate(trx, clientId);
      if (!current) throw AppError.notFound('API client', clientId);
      const values = decide(current);
      if (!values) return toApiClient(current);
      const client = toApiClient(await this.repo.update(trx, clientId, values));
      await this.audit.record(trx, {
        entity: 'api-client',
        entityId: clientId,
        action,
        before: toApiClient(current),
        after: client,
      });
      return client;
    });
  }
}
