// GET /search's work (the service's SearchService → SearchRepository, as a request runs it)
// over 100,000 activities, 10,000 people and 500 partners, against a baseline in the same run:
// a primary-key lookup of one row of the same table through plain `pg`. Prints p50/p99 per
// query and overall; asserts nothing about time.
//
//   BENCH_QUICK=1          10,000 activities, 1,000 people, fewer rounds (CI)
//   BENCH_SEARCH_ROUNDS    rounds over the query list (default 30; quick 5)

// First: V8 set as the services run it (lib/v8-runtime.mjs).
import './lib/v8-runtime.mjs';
import { createDb } from '@sp/db';
import pg from 'pg';
import { cleanUpOnSignals } from './lib/cleanup.mjs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  intOption,
  progressLogger,
  repoRoot,
  requireBuilt,
  requireProjectNode,
} from './lib/common.mjs';
import { createBenchDatabase, postgresVersion } from './lib/database.mjs';
import { percentiles } from './lib/load.mjs';
import { runBenchmark } from './lib/main.mjs';
import { formatTable, machineInfo, writeResults } from './lib/report.mjs';

const NAME = 'search';
const log = progressLogger(NAME);
const quick = process.env.BENCH_QUICK === '1';
const ACTIVITIES = quick ? 10_000 : 100_000;
const PEOPLE = quick ? 1_000 : 10_000;
const PARTNERS = 500;
const ROUNDS = intOption('BENCH_SEARCH_ROUNDS', quick ? 5 : 30);

/** Words the generated titles and summaries draw from (English, and Japanese without spaces). */
const EN = `collaborate research quantum materials workshop symposium exchange students climate
  energy ocean marine biology medicine health data science artificial intelligence robotics
  economics policy history literature law engineering urban design water food security
  archaeology astronomy physics chemistry mathematics education mobility programme joint
  seminar summer school graduate undergraduate faculty network sustainable innovation`
  .split(/\s+/)
  .filter(Boolean);
const JA = `東京大学 共同研究 量子 材料 ワークショップ シンポジウム 交流 学生 気候 エネルギー 海洋
  生物 医学 健康 データ 科学 人工知能 ロボット 経済 政策 歴史 文学 法学 工学 都市 設計 水 食料
  安全保障 考古学 天文学 物理学 化学 数学 教育 プログラム 国際 連携 大学院 持続可能 革新`
  .split(/\s+/)
  .filter(Boolean);

const QUERIES = [
  'collaborations', // a common word, stemmed
  'quantum materials', // two words, both required
  '東京', // a two-character Japanese word inside longer titles
  '共同研究', // a longer Japanese word (three bigrams)
  'Switzerland', // a partner by its country
  'archaeological', // a rarer word
  'Greta', // a person (staff only)
];

async function load(client) {
  const run = (sql) => client.query(sql);
  await run('set statement_timeout = 0');
  const en = pg.escapeLiteral(`{${EN.join(',')}}`);
  const ja = pg.escapeLiteral(`{${JA.join(',')}}`);
  const countries = `'{CH,GB,US,KR,CN,SE,AU,VN,DE,FR}'`;
  // Deterministic pseudo-random picks: the same rows every run.
  const pick = (arr, expr) => `(${arr}::text[])[1 + ((${expr}) % array_length(${arr}::text[], 1))]`;
  await run(`insert into registry.partner (name_en, name_ja, country, status, summary_en)
      select 'Bench University ' || i, 'ベンチ大学' || i, (${countries}::text[])[1 + i % 10],
             case when i % 7 = 0 then 'ended' else 'primary' end,
             ${pick(en, 'i * 7')} || ' ' || ${pick(en, 'i * 13')}
      from generate_series(1, ${PARTNERS}) i`);
  log(`${PARTNERS} partners`);
  const batch = 10_000;
  for (let from = 1; from <= ACTIVITIES; from += batch) {
    const to = Math.min(ACTIVITIES, from + batch - 1);
    await run(`insert into registry.activity
          (partner_id, type, title_en, title_ja, summary_en, status, review_status, is_public,
           published_at, reported_by, created_by)
        select p.id, 'joint-research',
          initcap(${pick(en, 'i * 31')} || ' ' || ${pick(en, 'i * 17 + 3')} || ' ' || ${pick(en, 'i * 11 + 5')}),
          ${pick(ja, 'i * 29')} || 'と' || ${pick(ja, 'i * 19 + 1')} || 'の' || ${pick(ja, 'i * 23 + 7')},
          'Teams ' || ${pick(en, 'i * 37 + 2')} || ' on ' || ${pick(en, 'i * 41 + 9')} || ' and ' || ${pick(en, 'i * 43 + 4')} || ' with partners.',
          'ongoing', 'approved', i % 3 <> 0,
          case when i % 3 <> 0 then now() - make_interval(hours => i) end, 'staff', 'bench'
        from generate_series(${from}, ${to}) i,
          (select array_agg(id order by id) as ids from registry.partner) ps,
          lateral (select ps.ids[1 + i % ${PARTNERS}] as id) p`);
    log(`${to} activities`);
  }
  await run(`insert into registry.contact (partner_id, name_en, email, role)
      select p.id, (array['Greta','Anna','Ben','Carla','Dora','Eli','Finn','Hana'])[1 + i % 8] || ' Fictional ' || i,
             'contact' || i || '@bench.example', 'International office'
      from generate_series(1, ${PEOPLE / 2}) i,
        (select array_agg(id order by id) as ids from registry.partner) ps,
        lateral (select ps.ids[1 + i % ${PARTNERS}] as id) p`);
  await run(`insert into registry.faculty_lead (name_en, name_ja, department, email)
      select 'Lead Fictional ' || i, '架空' || i, 'Graduate School of ' || ${pick(en, 'i * 3')},
             'lead' || i || '@utokyo.bench.example'
      from generate_series(1, ${PEOPLE / 2}) i`);
  log(`${PEOPLE} people`);
  await run('vacuum analyze registry.search_entry');
}

async function main() {
  requireProjectNode();
  const built = async (path) => {
    requireBuilt(path);
    return import(pathToFileURL(join(repoRoot, path)).href);
  };
  const { SearchService } = await built('apps/partner-registry/dist/search/search.service.js');
  const { SearchRepository } = await built(
    'apps/partner-registry/dist/search/search.repository.js',
  );
  const { requestContext } = await built('packages/platform/dist/index.js');
  const database = await createBenchDatabase();
  log(`loading ${ACTIVITIES} activities, ${PEOPLE} people (${quick ? 'quick' : 'full'} mode)`);
  const started = performance.now();
  const loader = new pg.Client({ connectionString: database.url });
  await loader.connect();
  try {
    await load(loader);
  } finally {
    await loader.end();
  }
  log(`loaded and indexed in ${Math.round((performance.now() - started) / 1000)} s`);
  await database.close();

  const db = createDb(database.url, { max: 1, applicationName: 'bench-search' });
  const service = new SearchService(new SearchRepository(db));
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows: sample } = await client.query(
      `select kind, entity_id from registry.search_entry order by entity_id limit 200`,
    );
    const asStaff = (fn) =>
      requestContext.run(() => {
        requestContext.setPrincipal({ kind: 'staff', sub: 'bench', role: 'viewer' });
        return fn();
      });
    const times = Object.fromEntries(QUERIES.map((q) => [q, []]));
    const baseline = [];
    const counts = {};
    // Warm-up round (plans, caches), not measured.
    for (const q of QUERIES)
      counts[q] = (await asStaff(() => service.search({ q, limit: 20 }))).items.length;
    for (let round = 0; round < ROUNDS; round++) {
      for (const q of QUERIES) {
        const t0 = performance.now();
        await asStaff(() => service.search({ q, limit: 20 }));
        times[q].push(performance.now() - t0);
        const row = sample[(round * QUERIES.length + baseline.length) % sample.length];
        const t1 = performance.now();
        await client.query(
          'select kind, entity_id, title, title_ja, body from registry.search_entry where kind = $1 and entity_id = $2',
          [row.kind, row.entity_id],
        );
        baseline.push(performance.now() - t1);
      }
    }
    const ms = (v) => v.toFixed(2);
    const all = Object.values(times).flat();
    const { p50, p99 } = percentiles(all, [50, 99]);
    const { p50: b50, p99: b99 } = percentiles(baseline, [50, 99]);
    const table = [['query', 'results (page)', 'p50 ms', 'p99 ms']];
    for (const q of QUERIES) {
      const { p50: a, p99: b } = percentiles(times[q], [50, 99]);
      table.push([q, counts[q], ms(a), ms(b)]);
    }
    table.push(['all searches', '', ms(p50), ms(p99)]);
    table.push(['baseline: pk lookup via pg', '', ms(b50), ms(b99)]);
    process.stdout.write(`\n${formatTable(table)}\n`);
    process.stdout.write(
      `\nsearch p50 is ${(p50 / b50).toFixed(1)}× the baseline's; p99 ${ms(p99)} ms (target under 50 ms)\n`,
    );
    writeResults(NAME, {
      machine: machineInfo(),
      postgres: await postgresVersion(),
      mode: quick ? 'quick' : 'full',
      activities: ACTIVITIES,
      people: PEOPLE,
      partners: PARTNERS,
      rounds: ROUNDS,
      perQuery: Object.fromEntries(
        QUERIES.map((q) => {
          const { p50: a, p99: b } = percentiles(times[q], [50, 99]);
          return [q, { results: counts[q], p50: +ms(a), p99: +ms(b) }];
        }),
      ),
      search: { p50: +ms(p50), p99: +ms(p99) },
      baseline: { p50: +ms(b50), p99: +ms(b99) },
      ratioP50: +(p50 / b50).toFixed(2),
    });
  } finally {
    await client.end();
    await db.destroy();
  }
}

cleanUpOnSignals(log);
await runBenchmark(NAME, main, { log, cleaningUp: 'the bench database' });
