import { type Kysely, sql } from 'kysely';

/**
 * A published activity's search entry is public, and its text held the names of the
 * activity's leads: anyone found it by a lead's name, with the name in the snippet, though the
 * public activity routes show no leads (helper-44's review). A published activity is now
 * indexed without its leads; an unpublished one (staff and its partner only) keeps them. The
 * published activities are indexed again.
 */
const activitySync = (leads: 'unpublished' | 'always') => sql`
  create or replace function registry.search_activity_sync() returns trigger language plpgsql as $$
  begin
    if tg_op = 'DELETE' then
      delete from registry.search_entry where kind = 'activity' and entity_id = old.id;
      return old;
    end if;
    perform registry.search_put('activity', new.id, new.partner_id,
      case when new.published_at is not null then 'public' else 'partner' end,
      new.title_en, new.title_ja,
      concat_ws(' ', new.summary_en, new.summary_ja, array_to_string(new.departments, ' '),
        ${sql.raw(
          leads === 'always'
            ? `array_to_string(new.leads, ' ')`
            : `case when new.published_at is null then array_to_string(new.leads, ' ') end`,
        )}));
    return new;
  end $$`;

const reindexPublished = (leads: 'unpublished' | 'always') => sql`
  select registry.search_put('activity', a.id, a.partner_id, 'public', a.title_en, a.title_ja,
    concat_ws(' ', a.summary_en, a.summary_ja, array_to_string(a.departments, ' '),
      ${sql.raw(leads === 'always' ? `array_to_string(a.leads, ' ')` : 'null')}))
    from registry.activity a
   where a.published_at is not null`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await activitySync('unpublished').execute(db);
  await reindexPublished('unpublished').execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await activitySync('always').execute(db);
  await reindexPublished('always').execute(db);
}
