// HTTP load with autocannon, reduced to the numbers the benchmarks report.

import autocannon from 'autocannon';

/**
 * Keeps `connections` connections busy against `url` for `seconds` (each connection sends its
 * next request as soon as the previous answer arrives: closed-loop load, so req/s is the
 * server's capacity at that concurrency). Resolves with a summary; `ok` is false when any
 * request failed (connection error, timeout or a non-2xx status), which makes the run invalid.
 * `headers` (and `method`, `body`, when given) go with every request. `latencies`, if given, gets
 * every response time (ms) pushed to it, for percentiles pooled over several runs; with
 * `firstLatencies` as well, each connection's first answer goes there instead, and `latencies`
 * gets only answers on connections already open (see `firstLatencies` below). `requests` (autocannon's sequence of requests,
 * each connection going through it in turn) replaces the single request; `onResponse(client,
 * status, responseTime)` is called for every answer, with autocannon's client (a sequence's
 * step is `client.requestIterator.currentRequestIndex` at that moment).
 */
export async function loadTest({
  url,
  connections,
  seconds,
  headers,
  latencies,
  firstLatencies,
  method,
  body,
  requests,
  onResponse,
}) {
  const instance = autocannon({
    url,
    connections,
    duration: seconds,
    headers,
    ...(method ? { method } : {}),
    ...(body === undefined ? {} : { body }),
    ...(requests ? { requests } : {}),
  });
  if (latencies) {
    // autocannon opens every connection at the start of a run and sends its first request at
    // once. A server already busy with the connections it took first accepts the rest one per
    // event-loop turn (Node 24, counted with a setImmediate loop; `ss -ltn` shows the listening
    // socket's accept queue draining), so those
    // first answers wait up to a second or two, in the baseline as much as in a service: they
    // measure how a saturated server takes new connections, which a run in short slices repeats
    // every slice. Kept apart, they are reported on their own.
    const opened = firstLatencies ? new WeakSet() : undefined;
    instance.on('response', (client, _status, _bytes, responseTime) => {
      if (opened && !opened.has(client)) {
        opened.add(client);
        firstLatencies.push(responseTime);
      } else {
        latencies.push(responseTime);
      }
    });
  }
  if (onResponse) {
    instance.on('response', (client, status, _bytes, responseTime) =>
      onResponse(client, status, responseTime),
    );
  }
  return summarize(await instance);
}

function summarize(result) {
  const { requests, latency, throughput } = result;
  const failed = result.errors + result.timeouts + result.non2xx;
  return {
    ok: failed === 0 && requests.total > 0,
    requests: requests.total,
    seconds: result.duration,
    // Completed requests over the run's actual length (autocannon's own average is a mean of
    // per-second samples, too coarse for runs of a few seconds).
    reqPerSec: Math.round(requests.total / result.duration),
    latencyMs: {
      mean: round(latency.average),
      p50: latency.p50,
      p90: latency.p90,
      p99: latency.p99,
      max: latency.max,
    },
    bytesPerSec: Math.round(throughput.average),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [
        code,
        Number(count),
      ]),
    ),
  };
}

const round = (n, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Percentiles (nearest rank) of response times in ms, e.g. `percentiles(times, [50, 99])`. */
export function percentiles(values, ranks) {
  const sorted = Float64Array.from(values).sort();
  return Object.fromEntries(
    ranks.map((rank) => {
      const index = Math.min(sorted.length - 1, Math.ceil((rank / 100) * sorted.length) - 1);
      return [`p${rank}`, round(sorted[Math.max(0, index)])];
    }),
  );
}

/** "12 errors, 3 non-2xx (500: 3)" — what went wrong in a failed run, for messages. */
export function describeFailures(summary) {
  const parts = [];
  if (summary.errors) parts.push(`${summary.errors} connection errors`);
  if (summary.timeouts) parts.push(`${summary.timeouts} timeouts`);
  if (summary.non2xx) {
    const codes = Object.entries(summary.statusCodes)
      .filter(([code]) => !code.startsWith('2'))
      .map(([code, count]) => `${code}: ${count}`)
      .join(', ');
    parts.push(`${summary.non2xx} non-2xx responses (${codes})`);
  }
  if (summary.requests === 0) parts.push('no request completed');
  return parts.join(', ');
}

/**
 * The order the servers take their slices in, in round `round` (from 1): each round starts one
 * server further on (a rotation), so every server takes every place in a round, and with three
 * or more servers none ever follows itself (http-read.mjs, measure(), says why that matters).
 */
export function turnOrder(targets, round) {
  const start = (round - 1) % targets.length;
  return [...targets.slice(start), ...targets.slice(0, start)];
}
