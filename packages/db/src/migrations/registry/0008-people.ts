import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Partner-side contacts: personal data, deleted for good when a partner asks (the audit log
  // keeps who deleted what). One person per e-mail per partner.
  await sql`
    create table registry.contact (
      id uuid primary key default gen_random_uuid(),
      partner_id uuid not null references registry.partner (id) on delete cascade,
      name_en text not null check (length(name_en) between 1 and 200),
      name_ja text,
      role text,
      email text not null,
      phone text,
      languages text[] not null default '{}',
      note text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      version bigint not null default 1
    )`.execute(db);
  await sql`create unique index contact_partner_email_key on registry.contact (partner_id, lower(email))`.execute(
    db,
  );
  // Keyset paging of a partner's contacts by name.
  await sql`create index contact_partner_name_idx on registry.contact (partner_id, name_en, id)`.execute(
    db,
  );

  // UTokyo faculty leads, and the partners each leads with (many to many).
  await sql`
    create table registry.faculty_lead (
      id uuid primary key default gen_random_uuid(),
      name_en text not null check (length(name_en) between 1 and 200),
      name_ja text,
      department text not null,
      email text not null,
      phone text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      version bigint not null default 1
    )`.execute(db);
  await sql`create unique index faculty_lead_email_key on registry.faculty_lead (lower(email))`.execute(
    db,
  );
  await sql`create index faculty_lead_name_idx on registry.faculty_lead (name_en, id)`.execute(db);
  await sql`
    create table registry.faculty_lead_partner (
      faculty_lead_id uuid not null references registry.faculty_lead (id) on delete cascade,
      partner_id uuid not null references registry.partner (id) on delete cascade,
      primary key (faculty_lead_id, partner_id)
    )`.execute(db);
  await sql`create index faculty_lead_partner_partner_idx on registry.faculty_lead_partner (partner_id)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table registry.faculty_lead_partner`.execute(db);
  await sql`drop table registry.faculty_lead`.execute(db);
  await sql`drop table registry.contact`.execute(db);
}
