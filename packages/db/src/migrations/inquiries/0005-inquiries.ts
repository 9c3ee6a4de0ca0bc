import { type Kysely, sql } from 'kysely';

/**
 * The inquiries themselves: the inquiry (its reference, gap-free per year from a counter row),
 * its thread of messages, their attachments, the Message-IDs of the mails we send about it (so
 * a reply threads by In-Reply-To/References), and inbound mails that matched no inquiry
 * (waiting for staff to assign them, never dropped).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per year; `update … set next_number = next_number + 1 returning` in the creating
  // transaction hands out numbers that are gap-free (a rolled-back insert gives its number back).
  await sql`
    create table inquiries.reference_counter (
      year int primary key check (year between 2000 and 9999),
      next_number int not null default 1 check (next_number between 1 and 1000000)
    )`.execute(db);

  await sql`
    create table inquiries.inquiry (
      id uuid primary key default gen_random_uuid(),
      reference text not null unique check (reference ~ '^INQ-[0-9]{4}-[0-9]{6}$'),
      reference_year int not null,
      reference_number int not null,
      state text not null default 'new' check (state in ('new','open','waiting','resolved','closed')),
      category text not null check (category in ('partnership-proposal','symposium','mobility','media','other')),
      name text not null check (length(name) between 1 and 200),
      email text not null check (length(email) between 3 and 320),
      organisation text,
      country char(2) check (country ~ '^[A-Z]{2}$'),
      language text not null check (language in ('en','ja')),
      subject text not null check (length(subject) between 1 and 300),
      category_fields jsonb not null default '{}',
      partner_id uuid,
      symposium_id uuid,
      assignee text,
      status_token_hash text not null unique,
      version bigint not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (reference_year, reference_number)
    )`.execute(db);
  await sql`create index inquiry_created_at_id_idx on inquiries.inquiry (created_at, id)`.execute(
    db,
  );
  await sql`create index inquiry_state_idx on inquiries.inquiry (state)`.execute(db);
  await sql`create index inquiry_assignee_idx on inquiries.inquiry (assignee) where assignee is not null`.execute(
    db,
  );
  await sql`create index inquiry_partner_idx on inquiries.inquiry (partner_id) where partner_id is not null`.execute(
    db,
  );
  await sql`create index inquiry_email_idx on inquiries.inquiry (lower(email))`.execute(db);

  await sql`
    create table inquiries.message (
      id uuid primary key default gen_random_uuid(),
      inquiry_id uuid not null references inquiries.inquiry (id) on delete cascade,
      author_kind text not null check (author_kind in ('inquirer','staff')),
      author_id text,
      visibility text not null check (visibility in ('public','internal')),
      channel text not null check (channel in ('form','status-page','email','desk')),
      body text not null,
      message_id text unique,
      in_reply_to text,
      created_at timestamptz not null default now(),
      check (author_kind = 'staff' or visibility = 'public')
    )`.execute(db);
  await sql`create index message_inquiry_idx on inquiries.message (inquiry_id, created_at, id)`.execute(
    db,
  );

  // A mail that matched no inquiry, waiting in the review list until staff assign or discard it.
  await sql`
    create table inquiries.inbound_message (
      id uuid primary key default gen_random_uuid(),
      state text not null default 'pending' check (state in ('pending','assigned','discarded')),
      from_address text not null,
      from_name text,
      subject text not null default '',
      body text not null default '',
      message_id text,
      in_reply_to text,
      "references" text[] not null default '{}',
      inquiry_id uuid references inquiries.inquiry (id) on delete set null,
      assigned_message_id uuid references inquiries.message (id) on delete set null,
      decided_by text,
      version bigint not null default 1,
      received_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index inbound_message_state_idx on inquiries.inbound_message (state, received_at, id)`.execute(
    db,
  );

  // A file belongs to a message, or to an inbound mail still waiting for review.
  await sql`
    create table inquiries.attachment (
      id uuid primary key default gen_random_uuid(),
      message_id uuid references inquiries.message (id) on delete cascade,
      inbound_message_id uuid references inquiries.inbound_message (id) on delete cascade,
      storage_key text not null unique,
      filename text not null,
      content_type text not null,
      size int not null check (size >= 0),
      created_at timestamptz not null default now(),
      check ((message_id is null) <> (inbound_message_id is null))
    )`.execute(db);
  await sql`create index attachment_message_idx on inquiries.attachment (message_id) where message_id is not null`.execute(
    db,
  );
  await sql`create index attachment_inbound_idx on inquiries.attachment (inbound_message_id) where inbound_message_id is not null`.execute(
    db,
  );

  // The Message-ID of every mail we send about an inquiry (acknowledgement, replies): an
  // inbound mail naming one in In-Reply-To/References belongs to that inquiry.
  await sql`
    create table inquiries.mail_thread (
      message_id text primary key,
      inquiry_id uuid not null references inquiries.inquiry (id) on delete cascade,
      kind text not null,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index mail_thread_inquiry_idx on inquiries.mail_thread (inquiry_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table inquiries.mail_thread`.execute(db);
  await sql`drop table inquiries.attachment`.execute(db);
  await sql`drop table inquiries.inbound_message`.execute(db);
  await sql`drop table inquiries.message`.execute(db);
  await sql`drop table inquiries.inquiry`.execute(db);
  await sql`drop table inquiries.reference_counter`.execute(db);
}
