import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The programme's kinds of agreement (issue 9). Old kinds map onto them: a memorandum is the
  // university-wide (comprehensive) agreement, an exchange agreement a student exchange.
  await sql`alter table registry.agreement drop constraint agreement_kind_check`.execute(db);
  await sql`
    update registry.agreement set kind = case kind
      when 'memorandum' then 'comprehensive'
      when 'exchange' then 'student-exchange'
      when 'joint-degree' then 'other'
      else kind end`.execute(db);
  await sql`
    alter table registry.agreement
      add constraint agreement_kind_check
        check (kind in ('comprehensive','strategic-partnership','student-exchange','research','other')),
      add column signed_on_precision text
        check (signed_on_precision in ('year','month','day')),
      add column signatories text[] not null default '{}',
      add column starts_on date,
      add column auto_renewal boolean not null default false,
      add column document_url text,
      add column version bigint not null default 1`.execute(db);
  // A signing known only to the year becomes its first day with precision 'year'.
  await sql`
    update registry.agreement set
      signed_on_precision = case
        when signed_on is not null then 'day'
        when signed_year is not null then 'year' end,
      signed_on = coalesce(signed_on, make_date(signed_year, 1, 1))`.execute(db);
  await sql`
    alter table registry.agreement
      add constraint agreement_signed_precision_check
        check ((signed_on is null) = (signed_on_precision is null)),
      add constraint agreement_dates_check check (expires_on is null or starts_on is null or expires_on >= starts_on)`.execute(
    db,
  );

  // Renewals kept as history: each moved the expiry from `previous_expires_on` to `new_expires_on`.
  await sql`
    create table registry.agreement_renewal (
      id bigint generated always as identity primary key,
      agreement_id uuid not null references registry.agreement (id) on delete cascade,
      renewed_on date not null,
      renewed_on_precision text not null default 'day'
        check (renewed_on_precision in ('year','month','day')),
      previous_expires_on date,
      new_expires_on date,
      note text,
      actor_kind text,
      actor_id text,
      recorded_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index agreement_renewal_agreement_idx on registry.agreement_renewal (agreement_id, id)`.execute(
    db,
  );
  await sql`
    insert into registry.agreement_renewal (agreement_id, renewed_on, previous_expires_on, new_expires_on)
    select id, renewed_on, null, expires_on from registry.agreement where renewed_on is not null`.execute(
    db,
  );
  await sql`alter table registry.agreement drop column renewed_on, drop column signed_year`.execute(
    db,
  );

  // One reminder per agreement, threshold and expiry date: the daily job inserts the row with
  // its mail's outbox row (on conflict do nothing), so two runs or two replicas mail once; a
  // renewal (a new expiry) starts the reminders again.
  await sql`
    create table registry.agreement_reminder (
      agreement_id uuid not null references registry.agreement (id) on delete cascade,
      threshold_days int not null check (threshold_days in (180, 90, 30)),
      expires_on date not null,
      sent_on date not null,
      recipient text not null,
      created_at timestamptz not null default now(),
      primary key (agreement_id, threshold_days, expires_on)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table registry.agreement_reminder`.execute(db);
  await sql`
    alter table registry.agreement
      drop constraint agreement_dates_check,
      drop constraint agreement_signed_precision_check,
      drop constraint agreement_kind_check,
      add column renewed_on date,
      add column signed_year int check (signed_year between 1900 and 2200)`.execute(db);
  await sql`
    update registry.agreement a set renewed_on = (
      select max(renewed_on) from registry.agreement_renewal r where r.agreement_id = a.id)`.execute(
    db,
  );
  await sql`drop table registry.agreement_renewal`.execute(db);
  await sql`
    update registry.agreement set
      signed_year = extract(year from signed_on)::int,
      signed_on = case when signed_on_precision = 'day' then signed_on end,
      kind = case kind
        when 'comprehensive' then 'memorandum'
        when 'student-exchange' then 'exchange'
        when 'research' then 'other'
        else kind end`.execute(db);
  await sql`
    alter table registry.agreement
      drop column version,
      drop column document_url,
      drop column auto_renewal,
      drop column starts_on,
      drop column signatories,
      drop column signed_on_precision,
      add constraint agreement_kind_check
        check (kind in ('memorandum','strategic-partnership','exchange','joint-degree','other'))`.execute(
    db,
  );
}
