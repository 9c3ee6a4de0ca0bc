// CPU time of other processes on the host (the database server, Redis), read from /proc, so a
// benchmark can say where the time per operation goes. Linux only: elsewhere every reading is
// undefined and reported as unknown.

import { readdirSync, readFileSync } from 'node:fs';
import { clockTicks } from './processes.mjs';

/**
 * CPU seconds (user + system) used so far by each process whose command line (as `ps` shows
 * it: Postgres backends show `postgres: <user> <database> <client> <state>`) matches `test`,
 * keyed by pid and start time (a pid may be reused). Undefined where there is no /proc.
 */
export function cpuSnapshot(test) {
  let pids;
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const snapshot = new Map();
  for (const pid of pids) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ');
      if (!test(cmdline)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      // After the ")" closing the command name: utime and stime are fields 12 and 13 (from
      // 0), the start time field 20.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const seconds = (Number(fields[11]) + Number(fields[12])) / clockTicks;
      snapshot.set(`${pid}@${fields[19]}`, seconds);
    } catch {
      // Gone between the listing and the reading.
    }
  }
  return snapshot;
}

/**
 * CPU seconds the matching processes used between two snapshots: a process that started in
 * between counts in full. One that exited in between is missing from the second snapshot and
 * takes its time with it (a pool closing an idle connection, say): an undercount, so compare
 * phases in which the processes that do the work live throughout.
 */
export function cpuSecondsBetween(before, after) {
  if (!before || !after) return NaN;
  let total = 0;
  for (const [key, seconds] of after) total += seconds - (before.get(key) ?? 0);
  return total;
}

/**
 * Like `cpuSecondsBetween`, split by `groupOf(pid)` (say, a Postgres backend's client):
 * `{ [group]: seconds }`.
 */
export function cpuSecondsByGroup(before, after, groupOf) {
  const groups = {};
  if (!before || !after) return groups;
  for (const [key, seconds] of after) {
    const group = groupOf(Number(key.split('@')[0]));
    groups[group] = (groups[group] ?? 0) + seconds - (before.get(key) ?? 0);
  }
  return groups;
}

/** CPU seconds this process has used so far (every thread). */
export const ownCpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};
