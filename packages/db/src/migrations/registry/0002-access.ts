import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Keys that sign partner tokens. Public halves are published at /.well-known/jwks.json.
  // TODO(ops): encrypt private_jwk with a key from the environment (see closing notes).
  await sql`
    create table registry.signing_key (
      kid text primary key,
      alg text not null,
      public_jwk jsonb not null,
      private_jwk jsonb not null,
      created_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table registry.api_client (
      id uuid primary key default gen_random_uuid(),
      partner_id uuid not null references registry.partner (id) on delete cascade,
      name text not null check (length(name) between 1 and 200),
      scopes text[] not null,
      secret_hash text not null,
      created_by text not null,
      created_at timestamptz not null default now(),
      rotated_at timestamptz,
      revoked_at timestamptz,
      last_used_at timestamptz
    )`.execute(db);
  await sql`create index api_client_partner_idx on registry.api_client (partner_id, created_at)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table registry.api_client`.execute(db);
  await sql`drop table registry.signing_key`.execute(db);
}
