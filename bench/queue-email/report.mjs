// queue-email: the report. A table on stdout and bench/results/queue-email.json.

import { formatTable, writeResults } from '../lib/report.mjs';
import { perMail } from './cpu.mjs';

/** System jobs/s at least this share of the baseline's. Reported, never enforced. */
export const TARGET_RATIO = 0.8;

export function report(run, targets, { started, machine, database, checks }) {
  const [, system] = targets;
  const met = system.ratio >= TARGET_RATIO;
  const ms = (n) => (n >= 100 ? String(Math.round(n)) : n.toFixed(1));
  const rows = [
    [
      '',
      'jobs/s',
      'p50 ms',
      'p99 ms',
      'light p50 ms',
      'light p99 ms',
      'rounds: jobs/s',
      'system/baseline',
    ],
  ];
  for (const target of targets) {
    rows.push([
      target.label,
      target.jobsPerSec,
      ms(target.latencyMs.p50),
      ms(target.latencyMs.p99),
      ms(target.paced.latencyMs.p50),
      ms(target.paced.latencyMs.p99),
      target.rounds.map((r) => r.jobsPerSec).join(' '),
      target.ratio === undefined ? '' : target.ratio.toFixed(2),
    ]);
  }
  const cpuRows = [
    [
      'CPU ms per mail (bursts)',
      'side process',
      'bench process',
      'postgres: worker',
      'postgres: outbox',
      'postgres: other',
      'redis',
      'all',
    ],
  ];
  const cell = (n) => (Number.isNaN(n) ? '?' : n.toFixed(2));
  for (const target of targets) {
    const cpu = target.cpuMsPerMail;
    cpuRows.push([
      target.label,
      cell(cpu.sideProcess),
      cell(cpu.benchProcess),
      cell(cpu.postgresWorker),
      cell(cpu.postgresOutbox),
      cell(cpu.postgresOther),
      cell(cpu.redis),
      cell(cpu.sideProcess + cpu.benchProcess + cpu.postgres + cpu.redis),
    ]);
  }
  process.stdout.write(
    `\n${run.name}${run.options.quick ? ' (quick)' : ''}: ${run.options.emails} email.send jobs per side in ${run.options.rounds} bursts, ` +
      `concurrency ${run.options.concurrency}, SMTP pool of 5; light load: ${run.options.pacedEmails} jobs ` +
      `at ${run.options.pacedRate}/s\n\n${formatTable(rows)}\n` +
      'p50, p99: commit-to-mail latency in the bursts (mostly time queued behind the burst); ' +
      'light: one job per commit, no backlog\n' +
      targets
        .map(
          (t) =>
            `light load, p50 ms by stage, ${t.label}: ` +
            Object.entries(t.paced.stagesMs)
              .map(([stage, ms]) => `${stage} ${ms}`)
              .join(', '),
        )
        .join('\n') +
      `\n\n${formatTable(cpuRows)}\n\n` +
      `ratio system / baseline jobs/s: ${system.ratio.toFixed(2)} — target ≥ ${TARGET_RATIO}: ` +
      `${met ? 'met' : 'below target'}\n` +
      (Number.isNaN(system.cpuRatio)
        ? ''
        : `cross-check, CPU per mail (all processes) baseline / system: ${system.cpuRatio.toFixed(2)}\n`),
  );

  const summarize = (phase) => ({
    mails: phase.mails,
    seconds: phase.seconds,
    jobsPerSec: phase.jobsPerSec,
    latencyMs: phase.latencyMs,
    ...(phase.stagesMs ? { stagesP50Ms: phase.stagesMs } : {}),
    cpuMsPerMail: perMail([phase]),
  });
  const file = writeResults(run.name, {
    benchmark: run.name,
    description:
      'email.send jobs to an SMTP sink: the system (outbox rows committed in transactions, the ' +
      'outbox relay, the real worker with its delivery rows) vs a bare BullMQ worker with the ' +
      'same nodemailer transport; jobs/s and commit-to-mail latency.',
    date: started.toISOString(),
    machine: { ...machine, postgres: database.postgres, redis: database.redis },
    parameters: {
      quick: run.options.quick,
      emailsPerSide: run.options.emails,
      rounds: run.options.rounds,
      batch: run.options.batch,
      concurrency: run.options.concurrency,
      smtpPoolConnections: 5,
      warmupEmailsPerSide: run.options.warmupEmails,
      pacedEmails: run.options.pacedEmails,
      pacedRatePerSec: run.options.pacedRate,
      workerDatabasePoolMax: run.options.poolMax,
      workerLogLevel: run.options.workerLogLevel,
      method:
        'bursts: all jobs committed as fast as possible while the worker runs, the sides take ' +
        'turns, order reversed every round; jobs/s = mails / (last arrival − first commit) over ' +
        "all of a side's bursts; latency = arrival at the sink − commit of the job's batch, " +
        'percentiles over all burst mails; light load: one job per commit at a fixed rate; ' +
        'CPU per mail: the side process, this process (sink, producer, relay), the Postgres ' +
        "backends of the benchmark's database plus the WAL writer, Redis",
      messageBytes: Object.fromEntries(targets.map((t) => [t.key, t.messageBytes])),
    },
    results: targets.map((target) => ({
      key: target.key,
      label: target.label,
      jobsPerSec: target.jobsPerSec,
      latencyMs: target.latencyMs,
      mails: target.mails,
      cpuMsPerMail: target.cpuMsPerMail,
      lightLoad: summarize(target.paced),
      warmup: summarize(target.warmup),
      rounds: target.rounds.map((round) => ({ round: round.round, ...summarize(round) })),
      ...(target.ratio === undefined
        ? {}
        : { ratio: target.ratio, roundRatios: target.roundRatios }),
    })),
    ratio: {
      definition: 'jobs/s of the system / jobs/s of the baseline, over all bursts of each',
      value: system.ratio,
      target: TARGET_RATIO,
      met,
      cpuCrossCheck: Number.isNaN(system.cpuRatio) ? null : system.cpuRatio,
    },
    checks,
  });
  run.log(`results written to ${file}`);
}
