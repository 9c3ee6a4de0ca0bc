import { Injectable } from '@nestjs/common';
import type { DB } from '@sp/db';
import { AppError, AuditLog, checkVersion, type ExpectedVersion } from '@sp/platform';
import type {
  CannedResponse,
  CannedResponseCreate,
  CannedResponseList,
  CannedResponseUpdate,
  Language,
} from '@sp/types';
import type { Transaction } from 'kysely';
import { cannedText, toCannedResponse } from './canned-responses.mapper';
import { CannedResponsesRepository } from './canned-responses.repository';

/** The desk's reusable answers in both languages; a reply takes the inquirer's one. */
@Injectable()
export class CannedResponsesService {
  constructor(
    private readonly repo: CannedResponsesRepository,
    private readonly audit: AuditLog,
  ) {}

  async list(): Promise<CannedResponseList> {
    return { items: (await this.repo.list()).map(toCannedResponse) };
  }

  async get(id: string): Promise<CannedResponse> {
    const row = await this.repo.findById(id);
    if (!row) throw AppError.notFound('canned response', id);
    return toCannedResponse(row);
  }

  /**
   * The text to send in `language` (for a reply, inside its transaction); an unknown id is a
   * 400 naming `cannedResponseId` (the reply names it in its body).
   */
  async textFor(id: string, language: Language, trx?: Transaction<DB>): Promise<string> {
    const row = await this.repo.findById(id, trx);
    if (!row)
      throw new AppError('validation-error', 'invalid body: cannedResponseId', {
        errors: [
          {
            in: 'body',
            field: 'cannedResponseId',
            message: 'no such canned response',
            code: 'not_found',
          },
        ],
      });
    return cannedText(row, language);
  }

  create(input: CannedResponseCreate): Promise<CannedResponse> {
    return this.repo.transaction(async (trx) => {
      const row = await this.repo.insert(trx, input);
      const after = toCannedResponse(row);
      await this.audit.record(trx, {
        entity: 'canned-response',
        entityId: row.id,
        action: 'create',
        after,
      });
      return after;
    });
  }

  update(
    id: string,
    patch: CannedResponseUpdate,
    expected: ExpectedVersion,
  ): Promise<CannedResponse> {
    return this.repo.transaction(async (trx) => {
      const current = await this.repo.findByIdForUpdate(trx, id);
      if (!current) throw AppError.notFound('canned response', id);
      checkVersion(current.version, expected, 'canned response');
      const after = toCannedResponse(await this.repo.update(trx, id, patch));
      await this.audit.record(trx, {
        entity: 'canned-response',
        entityId: id,
        action: 'update',
        before: toCannedResponse(current),
        after,
      });
      return after;
    });
  }

  remove(id: string, expected: ExpectedVersion): Promise<void> {
    return this.repo.transaction(async (trx) => {
      const current = await this.repo.findByIdForUpdate(trx, id);
      if (!current) throw AppError.notFound('canned response', id);
      checkVersion(current.version, expected, 'canned response');
      await this.repo.delete(trx, id);
      await this.audit.record(trx, {
        entity: 'canned-response',
        entityId: id,
        action: 'delete',
        before: toCannedResponse(current),
      });
    });
  }
}
