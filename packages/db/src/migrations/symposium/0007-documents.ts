import { type Kysely, sql } from 'kysely';

/**
 * Documents in full: slides as a kind, a Japanese title beside the English one (either may be
 * missing, not both; the document itself is in `language`), either a URL or an uploaded file (its storage key, checked content
 * type, size and original name), a version for If-Match and an update time.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table symposium.document drop constraint document_kind_check`.execute(db);
  await sql`alter table symposium.document add constraint document_kind_check
    check (kind in ('report','announcement','panel-summary','slides','video','programme','other'))`.execute(
    db,
  );
  await sql`alter table symposium.document
    alter column title drop not null,
    add constraint document_title_check check (title is not null or title_ja is not null),
    add column title_ja text,
    add column storage_key text unique,
    add column content_type text,
    add column size_bytes bigint check (size_bytes >= 0),
    add column file_name text,
    add column version bigint not null default 1,
    add column updated_at timestamptz not null default now(),
    add constraint document_file_check check (storage_key is null or (content_type is not null and size_bytes is not null))`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table symposium.document
    drop constraint document_file_check,
    drop column updated_at,
    drop column version,
    drop column file_name,
    drop column size_bytes,
    drop column content_type,
    drop column storage_key`.execute(db);
  await sql`update symposium.document set title = title_ja where title is null`.execute(db);
  await sql`alter table symposium.document
    drop constraint document_title_check,
    drop column title_ja,
    alter column title set not null`.execute(db);
  await sql`delete from symposium.document where kind = 'slides'`.execute(db);
  await sql`alter table symposium.document drop constraint document_kind_check`.execute(db);
  await sql`alter table symposium.document add constraint document_kind_check
    check (kind in ('report','announcement','panel-summary','video','programme','other'))`.execute(
    db,
  );
}
