// queue-email: the exactly-once checks. A benchmark of mail that lost or doubled mail would
// be measuring the wrong thing.

import { createDb } from '@sp/db';
import { messageIdOf } from '@sp/queue';
import { sql } from 'kysely';
import { BenchFailure } from '../lib/common.mjs';
import { range, sum } from './numbers.mjs';

/**
 * A benchmark of mail that lost or doubled mail would be measuring the wrong thing: every
 * message must have arrived exactly once, with its own Message-ID; every system message must
 * be the Message-ID of a delivery recorded as sent; no outbox row may be left unsent, no job
 * failed. And the two sides must have sent messages of the same size, or one did less work.
 */
export async function verify(run, targets, database) {
  run.log('checking: every mail once, deliveries sent, outbox empty, no failed job');
  const total = run.ledger.next;
  const problems = [];
  let missing = 0;
  let duplicates = 0;
  for (let n = 0; n < total; n++) {
    if (run.ledger.copies[n] === 0) missing++;
    else if (run.ledger.copies[n] > 1) duplicates += run.ledger.copies[n] - 1;
  }
  if (missing) problems.push(`${missing} mails never arrived`);
  if (duplicates) problems.push(`${duplicates} mails arrived more than once`);
  if (run.ledger.strays.length) {
    problems.push(
      `${run.ledger.strays.length} mails the benchmark did not send arrived, e.g.:\n${run.ledger.strays[0]}`,
    );
  }
  const ids = run.ledger.messageIds.slice(0, total);
  const distinct = new Set(ids.filter(Boolean)).size;
  if (distinct !== total) problems.push(`${total} mails but ${distinct} distinct Message-IDs`);

  const refsOf = (key) =>
    run.ledger.ranges.filter((r) => r.target === key).flatMap((r) => range(r.first, r.end));
  const systemRefs = refsOf('system');
  const db = createDb(database.url, { max: 1, applicationName: 'bench-verify' });
  let deliveries;
  try {
    const { rows } = await sql`
      select id, status, attempts from notifications.delivery`.execute(db);
    deliveries = rows;
    const { rows: outbox } = await sql`
      select count(*)::int as unsent from registry.outbox where sent_at is null`.execute(db);
    if (outbox[0].unsent) problems.push(`${outbox[0].unsent} outbox rows were never relayed`);
  } finally {
    await db.destroy();
  }
  const sent = deliveries.filter((d) => d.status === 'sent');
  if (sent.length !== systemRefs.length || deliveries.length !== systemRefs.length) {
    problems.push(
      `${systemRefs.length} system mails but ${deliveries.length} delivery rows, ${sent.length} of them sent`,
    );
  }
  const recorded = new Set(sent.map((d) => messageIdOf(d.id)));
  const unrecorded = systemRefs.filter((ref) => !recorded.has(run.ledger.messageIds[ref])).length;
  if (unrecorded) {
    problems.push(`${unrecorded} system mails carry no Message-ID of a sent delivery`);
  }
  const retried = deliveries.filter((d) => d.attempts > 1).length;

  for (const target of targets) {
    const counts = await target.queue.getJobCounts('failed', 'waiting', 'active');
    if (counts.failed) problems.push(`${target.label}: ${counts.failed} jobs failed`);
    if (counts.waiting || counts.active) {
      problems.push(
        `${target.label}: ${counts.waiting} jobs still waiting, ${counts.active} active`,
      );
    }
    const refs = refsOf(target.key);
    target.messageBytes = Math.round(sum(refs.map((ref) => run.ledger.bytes[ref])) / refs.length);
  }
  const [baseline, system] = targets;
  const sizeRatio = system.messageBytes / baseline.messageBytes;
  if (Math.abs(sizeRatio - 1) > 0.02) {
    problems.push(
      `the sides sent messages of different sizes (system ${system.messageBytes} bytes, ` +
        `baseline ${baseline.messageBytes} on average): they are not doing the same work`,
    );
  }
  if (problems.length) throw new BenchFailure(`wrong results:\n  - ${problems.join('\n  - ')}`);
  run.log(
    `all ${total} mails arrived once with distinct Message-IDs; ${sent.length} deliveries sent ` +
      `(${retried} after a retry); messages ${system.messageBytes} / ${baseline.messageBytes} bytes`,
  );
  return { mails: total, distinctMessageIds: distinct, deliveriesSent: sent.length, retried };
}
