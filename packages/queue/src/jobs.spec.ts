import { type Job, UnrecoverableError } from 'bullmq';
import { type JobHandlers, runJob } from './jobs';

const handlers = {
  'reports.monthly-digest': () => Promise.resolve('digest'),
  'reports.fiscal-year': (data, job) => Promise.resolve(`fiscal ${job.id} ${JSON.stringify(data)}`),
  'reports.retention': () => Promise.resolve('retention'),
  'report.build': ({ runId }) => Promise.resolve(`build ${runId}`),
} satisfies JobHandlers<'reports', string>;

/** A processor's map as the compiler sees it: every job of `reports`, each with its handler. */
const reportHandlerNames = (map: JobHandlers<'reports'>) => Object.keys(map).sort();

const jobOf = (name: string, data: unknown) => ({ id: '7', name, data }) as unknown as Job;

describe('job handler maps', () => {
  it('must name every job of their queue: a missing handler does not compile', () => {
    const missing = { 'reports.monthly-digest': () => Promise.resolve('digest') };
    // @ts-expect-error the map has no handler for `reports.fiscal-year`
    expect(reportHandlerNames(missing)).toEqual(['reports.monthly-digest']);
    expect(reportHandlerNames(handlers)).toEqual([
      'report.build',
      'reports.fiscal-year',
      'reports.monthly-digest',
      'reports.retention',
    ]);
  });

  it('runs the handler of the job taken, with its checked payload', async () => {
    await expect(runJob('reports', handlers, jobOf('reports.fiscal-year', {}))).resolves.toBe(
      'fiscal 7 {}',
    );
    await expect(runJob('reports', handlers, jobOf('reports.monthly-digest', {}))).resolves.toBe(
      'digest',
    );
  });

  it("refuses for good another queue's job, and a payload that breaks its contract", () => {
    expect(() => runJob('reports', handlers, jobOf('email.send', {}))).toThrow(UnrecoverableError);
    expect(() =>
      runJob('reports', handlers, jobOf('reports.fiscal-year', { extra: true })),
    ).toThrow(/breaks its contract/);
  });
});
