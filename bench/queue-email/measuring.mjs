// queue-email: the measuring. A warm-up, bursts taking turns (jobs/s, latency with a
// backlog), and a light-load phase (latency without one); each phase waits until every mail of
// it has arrived.

import { BenchFailure, sleep } from '../lib/common.mjs';
import { median, percentiles } from '../lib/load.mjs';
import { cpuBetween, cpuReadings, perMail } from './cpu.mjs';
import { hundredths, sum } from './numbers.mjs';

const PROGRESS_EVERY_MS = 2_000;

/** Some jobs through each side first, so connections are open and the code is compiled. */
export async function warmUp(run, targets) {
  for (const target of targets) {
    run.log(`warming up ${target.label}: ${run.options.warmupEmails} mails`);
    const phase = await runPhase(run, target, 'warm-up', run.options.warmupEmails);
    target.warmup = phase;
    run.log(`${target.label} warm-up: ${phase.jobsPerSec} jobs/s`);
  }
}

/**
 * How the measuring is arranged, and why. Each side gets BENCH_EMAILS jobs in BENCH_ROUNDS
 * bursts; in a burst the producer commits all its jobs, BENCH_BATCH per transaction (system:
 * outbox rows; baseline: one addBulk), as fast as it can while the worker is already taking
 * them, and the burst lasts until the last of its mails has arrived at the sink. So:
 *   - jobs/s = mails / (last mail's arrival − first batch's commit), over all of a side's
 *     bursts: the rate at which the whole path delivers with a backlog to work on;
 *   - commit-to-mail latency = a mail's arrival at the sink − the commit of the batch that
 *     carried its job, both read from this process's clock (the sink is in this process);
 *     with the whole burst committed within a second or two, it is mostly time spent waiting
 *     in the queue (p50 ≈ half a burst's length), which is why the light-load phase
 *     (measurePaced) measures it again without a backlog;
 *   - the ratio is system jobs/s ÷ baseline jobs/s.
 * The host swings between fast and slow states (about 2×, for seconds at a time), so the
 * sides take turns burst by burst, the order reversed every round (B S, S B, …), and neither
 * systematically gets the earlier or later slot. Both sides stay up throughout; the idle one
 * costs next to nothing (a blocked Redis read).
 */
export async function measure(run, targets) {
  const { rounds, emails } = run.options;
  const sizes = Array.from(
    { length: rounds },
    (_, i) => Math.floor((emails * (i + 1)) / rounds) - Math.floor((emails * i) / rounds),
  );
  run.log(`measuring: ${rounds} bursts of about ${sizes[0]} mails per side, taking turns`);
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 === 1 ? targets : [...targets].reverse();
    for (const target of order) {
      const phase = await runPhase(run, target, `burst ${round}/${rounds}`, sizes[round - 1]);
      target.rounds.push({ round, ...phase });
      run.log(
        `${target.label} burst ${round}: ${phase.mails} mails in ${phase.seconds} s = ` +
          `${phase.jobsPerSec} jobs/s, latency p50 ${phase.latencyMs.p50} ms, p99 ${phase.latencyMs.p99} ms`,
      );
      await sleep(500); // Let the last jobs' bookkeeping finish before the other side starts.
    }
  }
  const [baseline, system] = targets;
  for (const target of targets) {
    const mails = sum(target.rounds.map((r) => r.mails));
    const seconds = sum(target.rounds.map((r) => r.seconds));
    target.jobsPerSec = Math.round(mails / seconds);
    target.mails = mails;
    target.latencyMs = percentiles(
      target.rounds.flatMap((r) => r.latencies),
      [50, 90, 99, 100],
    );
    target.cpuMsPerMail = perMail(target.rounds);
  }
  system.roundRatios = system.rounds.map((r, i) =>
    hundredths(r.jobsPerSec / baseline.rounds[i].jobsPerSec),
  );
  system.ratio = hundredths(system.jobsPerSec / baseline.jobsPerSec);
  // The same comparison by CPU time per mail, all processes together: on a host where every
  // process shares the cores, the side that costs more CPU per mail delivers fewer per second.
  const allCpu = ({ cpuMsPerMail: c }) => c.sideProcess + c.benchProcess + c.postgres + c.redis;
  system.cpuRatio = hundredths(allCpu(baseline) / allCpu(system));
}

/**
 * Latency at light load: BENCH_PACED_EMAILS jobs, each committed on its own (one outbox row
 * per transaction, as a request writes it; one `add` for the baseline), at BENCH_PACED_RATE
 * per second on a fixed schedule (a late commit does not delay the next one's slot). Far below
 * either side's capacity, so there is no backlog: what remains is the path itself (for the
 * system: NOTIFY → relay → BullMQ → worker → database → SMTP).
 */
export async function measurePaced(run, targets) {
  const { pacedEmails, pacedRate } = run.options;
  for (const target of targets) {
    run.log(`light load on ${target.label}: ${pacedEmails} jobs at ${pacedRate}/s, one per commit`);
    const phase = await runPhase(run, target, 'light load', pacedEmails, pacedRate);
    phase.stagesMs = await latencyStages(run, target, run.ledger.ranges.at(-1));
    target.paced = phase;
    const stages = Object.entries(phase.stagesMs)
      .map(([stage, ms]) => `${stage} ${ms}`)
      .join(', ');
    run.log(
      `${target.label} light load: latency p50 ${phase.latencyMs.p50} ms, ` +
        `p99 ${phase.latencyMs.p99} ms; stages, p50 ms: ${stages}`,
    );
  }
}

/**
 * Where a light-load job's time goes, from the timestamps BullMQ keeps on each completed job
 * (wall clock, whole milliseconds, so ±1 ms): medians of commit → job added to the queue (the
 * relay's part; about 0 or below for the baseline, whose commit *is* the add), commit → a
 * worker takes it, taken → its mail arrives (the worker's work before and during SMTP), mail →
 * job finished (what the worker records after the mail: not in the latency, but holding a
 * slot of its concurrency).
 */
async function latencyStages(run, target, { first, end }) {
  const wall = (n) => performance.timeOrigin + n;
  const jobs = await target.queue.getJobs(['completed'], 0, end - first + 100);
  const stages = { toQueue: [], toWorker: [], toMail: [], afterMail: [] };
  for (const job of jobs) {
    const n = Number(/^BENCH-(\d+)$/.exec(job.data?.data?.reference ?? '')?.[1] ?? -1);
    if (n < first || n >= end) continue;
    const commit = wall(run.ledger.commitAt[n]);
    const arrival = wall(run.ledger.arrivedAt[n]);
    stages.toQueue.push(job.timestamp - commit);
    stages.toWorker.push(job.processedOn - commit);
    stages.toMail.push(arrival - job.processedOn);
    stages.afterMail.push(job.finishedOn - arrival);
  }
  if (stages.toMail.length < (end - first) / 2) return {};
  return Object.fromEntries(
    Object.entries(stages).map(([stage, values]) => [stage, hundredths(median(values))]),
  );
}

/**
 * One phase of one side: `count` jobs committed (in batches, or one at a time at `rate` per
 * second), waited for until every mail has arrived. Returns its numbers.
 */
async function runPhase(run, target, phase, count, rate) {
  const range = run.ledger.allocate(target, phase, count);
  const cpuBefore = await cpuReadings(run, target);
  let producerError;
  const producing = (
    rate ? producePaced(run, target, range, rate) : produceBurst(run, target, range)
  ).catch((error) => (producerError = error));
  await waitForMail(run, target, phase, range, () => producerError);
  await producing;
  const cpuAfter = await cpuReadings(run, target);

  let firstCommit = Infinity;
  let lastArrival = 0;
  const latencies = new Array(count);
  for (let n = range.first; n < range.end; n++) {
    firstCommit = Math.min(firstCommit, run.ledger.commitAt[n]);
    lastArrival = Math.max(lastArrival, run.ledger.arrivedAt[n]);
    latencies[n - range.first] = run.ledger.arrivedAt[n] - run.ledger.commitAt[n];
  }
  const seconds = (lastArrival - firstCommit) / 1000;
  return {
    mails: count,
    seconds: Math.round(seconds * 1000) / 1000,
    jobsPerSec: Math.round(count / seconds),
    latencyMs: percentiles(latencies, [50, 90, 99, 100]),
    latencies,
    cpuSeconds: cpuBetween(cpuBefore, cpuAfter),
  };
}

async function produceBurst(run, target, { first, end }) {
  for (let at = first; at < end; at += run.options.batch) {
    const upTo = Math.min(end, at + run.options.batch);
    const refs = [];
    for (let ref = at; ref < upTo; ref++) refs.push(ref);
    await target.add(refs);
    run.ledger.commitAt.fill(performance.now(), at, upTo);
  }
}

async function producePaced(run, target, { first, end }, rate) {
  const start = performance.now();
  for (let ref = first; ref < end; ref++) {
    const wait = start + ((ref - first) * 1000) / rate - performance.now();
    if (wait > 1) await sleep(wait);
    await target.add([ref]);
    run.ledger.commitAt[ref] = performance.now();
  }
}

/** Until every mail of the phase has arrived; fails when a side dies or this one stops delivering. */
async function waitForMail(run, target, phase, range, producerError) {
  const count = range.end - range.first;
  let seen = 0;
  let lastArrivalAt = performance.now();
  let lastLogAt = performance.now();
  let seenAtLastLog = 0;
  while (range.received < count) {
    await sleep(20);
    const error = producerError();
    if (error) throw error;
    if (run.died) throw run.died;
    const now = performance.now();
    if (range.received > seen) {
      seen = range.received;
      lastArrivalAt = now;
    } else if (now - lastArrivalAt > run.options.stallSeconds * 1000) {
      throw new BenchFailure(
        `${target.label}, ${phase}: ${count - seen} of ${count} mails never arrived ` +
          `(none for ${run.options.stallSeconds} s).\nIts last output:\n${target.server.tail(15)}`,
      );
    }
    if (now - lastLogAt >= PROGRESS_EVERY_MS) {
      const perSec = Math.round(((seen - seenAtLastLog) * 1000) / (now - lastLogAt));
      run.log(`${target.label}, ${phase}: ${seen}/${count} mails (${perSec}/s)`);
      lastLogAt = now;
      seenAtLastLog = seen;
    }
  }
}
