import { type Kysely, sql } from 'kysely';

/**
 * A partner's own partner-profile run was built as staff's, with UTokyo's people in it (the
 * coordinator, faculty leads' names and e-mails). Runs a partner asked for before the fix are
 * made expired, so the next pruning round deletes them and their files; the partner can ask
 * again and gets the partner's edition.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    update reports.run set expires_at = now()
     where requester_kind = 'partner' and kind = 'partner-profile' and state = 'succeeded'
       and expires_at > now()`.execute(db);
}

/** Nothing to undo: the files are gone once pruned. */
export function down(): Promise<void> {
  return Promise.resolve();
}
