import { type FuzzReport, fuzzRuns, leaksIn } from './fuzz-kit';

/** The run's properties held: no violation, and at least the asked-for cases per operation. */
export function expectNoViolations(report: FuzzReport): void {
  // One line per kind of violation: the report above has the requests.
  const kinds = [
    ...new Set(report.violations.map((v) => `${v.operation}: ${v.problem.slice(0, 160)}`)),
  ];
  expect(kinds).toEqual([]);
  for (const op of report.perOperation) expect(op.cases).toBeGreaterThanOrEqual(fuzzRuns());
}

/** The security check over every error body the fuzz run collected. */
export function expectNoLeaks(report: FuzzReport | undefined): void {
  if (!report) throw new Error('the fuzz run did not complete');
  expect(report.errorBodies.length).toBeGreaterThan(report.cases / 2);
  const leaks = report.errorBodies.flatMap((e) =>
    leaksIn(e.body, e.sent).map((leak) => `${e.operation} ${e.status}: ${leak}`),
  );
  expect(leaks).toEqual([]);
}
