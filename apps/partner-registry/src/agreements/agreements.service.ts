import { Injectable } from '@nestjs/common';
import type { DB } from '@sp/db';
import type { Agreement } from '@sp/types';
import type { Transaction } from 'kysely';
import { toAgreement } from './agreements.mapper';
import { AgreementsRepository } from './agreements.repository';

/**
 * Agreements signed with partners. Other modules reach them only through this service
 * (exported by AgreementsModule); partners' detail lists them here.
 */
@Injectable()
export class AgreementsService {
  constructor(private readonly repo: AgreementsRepository) {}

  /** A partner's agreements, oldest first; inside the caller's transaction when given one. */
  async listForPartner(partnerId: string, trx?: Transaction<DB>): Promise<Agreement[]> {
    return (await this.repo.listForPartner(partnerId, trx)).map(toAgreement);
  }
}
