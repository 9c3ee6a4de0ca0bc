import { type Kysely, sql } from 'kysely';

/**
 * SLA figures stored, not recomputed: the due times (business hours, set when the inquiry is
 * created and again when its category changes), when the first public staff reply went out and
 * when it was resolved, and one row per breach (what was due, when the sweep saw it, whom it
 * told). Also where the assignee is mailed (breach alerts), and a merged duplicate's pointer to
 * the inquiry it was merged into.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table inquiries.inquiry
      add column first_response_due_at timestamptz,
      add column resolution_due_at timestamptz,
      add column first_response_at timestamptz,
      add column resolved_at timestamptz,
      add column merged_into_id uuid references inquiries.inquiry (id),
      add column assignee_email text check (length(assignee_email) between 3 and 320),
      add constraint inquiry_not_merged_into_itself check (merged_into_id <> id)`.execute(db);
  // The sweep looks for inquiries past a due time they have not met.
  await sql`create index inquiry_first_response_due_idx on inquiries.inquiry (first_response_due_at)
    where first_response_at is null and state <> 'closed'`.execute(db);
  await sql`create index inquiry_resolution_due_idx on inquiries.inquiry (resolution_due_at)
    where resolved_at is null and state <> 'closed'`.execute(db);

  // One row per breach: the unique key makes a second sweep (or two at once) a no-op, so the
  // alert mail written with the row goes out once. A new due time (category changed) is a new
  // breach if it is missed too.
  await sql`
    create table inquiries.sla_breach (
      id uuid primary key default gen_random_uuid(),
      inquiry_id uuid not null references inquiries.inquiry (id) on delete cascade,
      kind text not null check (kind in ('first-response','resolution')),
      due_at timestamptz not null,
      detected_at timestamptz not null,
      notified text not null,
      constraint sla_breach_once unique (inquiry_id, kind, due_at)
    )`.execute(db);
  await sql`create index sla_breach_detected_at_idx on inquiries.sla_breach (detected_at)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table inquiries.sla_breach`.execute(db);
  await sql`drop index inquiries.inquiry_resolution_due_idx`.execute(db);
  await sql`drop index inquiries.inquiry_first_response_due_idx`.execute(db);
  await sql`
    alter table inquiries.inquiry
      drop constraint inquiry_not_merged_into_itself,
      drop column assignee_email,
      drop column merged_into_id,
      drop column resolved_at,
      drop column first_response_at,
      drop column resolution_due_at,
      drop column first_response_due_at`.execute(db);
}
