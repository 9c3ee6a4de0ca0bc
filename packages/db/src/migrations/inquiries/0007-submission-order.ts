import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // A message's files in the order they were attached (they share one transaction's time).
  await sql`alter table inquiries.attachment add column position smallint not null default 0`.execute(
    db,
  );
  // Checked at commit: a submission writes its message and Message-ID before the inquiry row,
  // so the per-year counter row is locked only for the last statements of the transaction
  // (the reference is taken with the inquiry's insert), not for the whole of it.
  await sql`alter table inquiries.message alter constraint message_inquiry_id_fkey deferrable initially deferred`.execute(
    db,
  );
  await sql`alter table inquiries.mail_thread alter constraint mail_thread_inquiry_id_fkey deferrable initially deferred`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table inquiries.mail_thread alter constraint mail_thread_inquiry_id_fkey not deferrable`.execute(
    db,
  );
  await sql`alter table inquiries.message alter constraint message_inquiry_id_fkey not deferrable`.execute(
    db,
  );
  await sql`alter table inquiries.attachment drop column position`.execute(db);
}
