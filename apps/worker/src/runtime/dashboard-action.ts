/** What a dashboard write touches, as the audit log names it. */
export type DashboardAction = {
  /** `job` (one job), `job-scheduler`, or `queue` (one queue, or `*` for every queue). */
  entity: 'job' | 'job-scheduler' | 'queue' | 'dashboard';
  /** `<queue>/<job id>`, `<queue>/<scheduler id>`, `<queue>` or `*`. */
  entityId: string;
  /** `retry`, `clean:failed`, `pause`, `add`, `update-data`, … */
  action: string;
  queueName?: string;
  jobId?: string;
  schedulerId?: string;
};

const byMethod: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'update' };

/**
 * Names a bull-board API write (its route pattern, e.g.
 * `/api/queues/:queueName/:jobId/retry`, and the values of its parameters) for the audit log.
 * Derived from the route rather than listed, so a write a later bull-board adds is still
 * logged, under its route's words.
 */
export function dashboardAction(
  method: string,
  route: string,
  params: Record<string, unknown>,
): DashboardAction {
  const param = (name: string) => (typeof params[name] === 'string' ? params[name] : undefined);
  const segments = route.split('/').filter(Boolean);
  if (segments[0] !== 'api' || segments[1] !== 'queues')
    return {
      entity: 'dashboard',
      entityId: route,
      action: segments.filter((s) => !s.startsWith(':')).join('-') || method.toLowerCase(),
    };
  const words = segments
    .slice(2)
    .filter((s) => !s.startsWith(':') && s !== 'job-schedulers')
    .join('-');
  const status = param('queueStatus');
  const action = `${words || (byMethod[method.toUpperCase()] ?? method.toLowerCase())}${status ? `:${status}` : ''}`;
  const queueName = param('queueName');
  const jobId = param('jobId');
  const schedulerId = param('schedulerId');
  if (queueName && jobId)
    return { entity: 'job', entityId: `${queueName}/${jobId}`, action, queueName, jobId };
  if (queueName && schedulerId)
    return {
      entity: 'job-scheduler',
      entityId: `${queueName}/${schedulerId}`,
      action,
      queueName,
      schedulerId,
    };
  if (queueName) return { entity: 'queue', entityId: queueName, action, queueName };
  return { entity: 'queue', entityId: '*', action };
}
