import { actorOf, requestContext } from '@sp/platform';
import type { Reporter } from '@sp/types';

/** Who is writing a record: staff, or a partner's client; `by` is kept as `<kind>:<id>`. */
export function currentWriter(): { reporter: Reporter; by: string } {
  const principal = requestContext.principal();
  const actor = actorOf(principal);
  return {
    reporter: principal.kind === 'partner' ? 'partner' : 'staff',
    by: `${actor.kind}:${actor.id ?? 'unknown'}`,
  };
}
