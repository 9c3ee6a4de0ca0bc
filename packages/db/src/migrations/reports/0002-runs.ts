import { type Kysely, sql } from 'kysely';

/**
 * Report runs and their files. A run is asked for (`queued`), taken by a builder (`running`)
 * and ends `succeeded` (with its artifact) or `failed` (with a reason); runs and files go after
 * their expiry. The database, not the code, makes two rules facts:
 * - one live run per request: while a run of the same kind, format and parameters is queued or
 *   running, asking again finds that run (a partial unique index on the canonical params key);
 * - one scheduled run per period and kind (`fiscal-year:2025`, `digest:2026-11`), however many
 *   workers or firings of the schedule try to make it.
 * Also the role `sp_report_reader` (NOLOGIN), which builders switch to for reading: the services
 * grant it SELECT on their published report views and nothing else.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // Parallel test databases share the cluster's roles: whoever comes second finds it made.
  await sql`
    do $$
    begin
      if not exists (select from pg_roles where rolname = 'sp_report_reader') then
        create role sp_report_reader nologin;
      end if;
    exception when duplicate_object or unique_violation then null;
    end $$`.execute(db);
  // The role the app connects as must be able to SET ROLE to it (a superuser always can).
  await sql`
    do $$
    begin
      if not pg_has_role(current_user, 'sp_report_reader', 'member') then
        execute format('grant sp_report_reader to %I', current_user);
      end if;
    exception when duplicate_object or unique_violation then null;
    end $$`.execute(db);

  await sql`
    create table reports.run (
      id uuid primary key default gen_random_uuid(),
      kind text not null
        check (kind in ('fiscal-year', 'partner-profile', 'symposium', 'inquiry-statistics')),
      format text not null check (format in ('csv', 'xlsx', 'pdf')),
      params jsonb not null,
      params_key text not null,
      partner_id uuid,
      requester_kind text not null check (requester_kind in ('staff', 'partner', 'schedule')),
      requester_id text,
      state text not null default 'queued'
        check (state in ('queued', 'running', 'succeeded', 'failed')),
      percent int not null default 0 check (percent between 0 and 100),
      rows_written bigint not null default 0,
      rows_estimated bigint,
      error text,
      period_key text,
      build_key text,
      attempts int not null default 0,
      created_at timestamptz not null default now(),
      started_at timestamptz,
      progress_at timestamptz,
      finished_at timestamptz,
      expires_at timestamptz not null,
      check ((state = 'failed') = (error is not null))
    )`.execute(db);
  await sql`create unique index run_live_request_idx on reports.run (params_key)
    where state in ('queued', 'running')`.execute(db);
  await sql`create unique index run_period_idx on reports.run (period_key, kind)
    where period_key is not null`.execute(db);
  await sql`create index run_created_at_id_idx on reports.run (created_at desc, id desc)`.execute(
    db,
  );
  await sql`create index run_expires_at_idx on reports.run (expires_at)`.execute(db);
  await sql`create index run_partner_idx on reports.run (partner_id) where partner_id is not null`.execute(
    db,
  );

  await sql`
    create table reports.artifact (
      run_id uuid primary key references reports.run (id) on delete cascade,
      storage_key text not null unique,
      size bigint not null check (size >= 0),
      sha256 char(64) not null,
      content_type text not null,
      file_name text not null,
      created_at timestamptz not null default now()
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table reports.artifact`.execute(db);
  await sql`drop table reports.run`.execute(db);
  // The role stays: other databases of the cluster (and the services' grants) may use it.
}
