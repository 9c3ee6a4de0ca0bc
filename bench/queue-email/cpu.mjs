// queue-email: CPU accounting. What a mail costs, by process: the side's process, this
// process, the Postgres backends of the run's database (by client) and Redis.

import { sql } from 'kysely';
import {
  cpuSecondsBetween,
  cpuSecondsByGroup,
  cpuSnapshot,
  ownCpuSeconds,
} from '../lib/host-cpu.mjs';
import { hundredths, sum } from './numbers.mjs';

/**
 * CPU seconds so far of everything that works on a job: the side's process, this process (the
 * sink, the producer and, for the system, the relay), the Postgres backends of the benchmark's
 * database plus the WAL writer, and Redis. Postgres backends are told apart by their client
 * (pg_stat_activity's application_name): the worker's pool, the outbox's side (the producer's
 * transactions and the relay's pool), and the rest (WAL writer, the relay's LISTEN connection,
 * autovacuum, this reading itself). Postgres and Redis are shared with whatever else runs on
 * the host; on a quiet host they are the benchmark's.
 */
export async function cpuReadings(run, target) {
  const { rows } = await sql`
    select pid, application_name as client from pg_stat_activity where datname = current_database()`.execute(
    run.observer,
  );
  return {
    sideProcess: target.server.cpuSeconds() ?? NaN,
    benchProcess: ownCpuSeconds(),
    postgres: cpuSnapshot(
      (cmd) =>
        cmd.startsWith('postgres: ') &&
        (cmd.includes(` ${run.databaseName} `) || cmd.includes(': walwriter')),
    ),
    clients: new Map(rows.map((row) => [row.pid, row.client])),
    redis: cpuSnapshot((cmd) => cmd.startsWith('redis-server')),
  };
}

const postgresPart = {
  worker: 'postgresWorker',
  'bench-producer': 'postgresOutbox',
  'bench-relay': 'postgresOutbox',
};

/** CPU seconds by process between two readings. */
export function cpuBetween(before, after) {
  const parts = cpuSecondsByGroup(
    before.postgres,
    after.postgres,
    (pid) => postgresPart[after.clients.get(pid)] ?? 'postgresOther',
  );
  return {
    sideProcess: after.sideProcess - before.sideProcess,
    benchProcess: after.benchProcess - before.benchProcess,
    postgres: cpuSecondsBetween(before.postgres, after.postgres),
    postgresWorker: parts.postgresWorker ?? 0,
    postgresOutbox: parts.postgresOutbox ?? 0,
    postgresOther: parts.postgresOther ?? 0,
    redis: cpuSecondsBetween(before.redis, after.redis),
  };
}

/** CPU ms per mail over some phases, by process. */
export function perMail(phases) {
  const mails = sum(phases.map((p) => p.mails));
  const keys = Object.keys(phases[0].cpuSeconds);
  return Object.fromEntries(
    keys.map((key) => [
      key,
      hundredths((sum(phases.map((p) => p.cpuSeconds[key])) * 1000) / mails),
    ]),
  );
}
