import { requestContext } from '@sp/platform';

/** Whether the request's caller is staff (who see planned symposiums and unpublished drafts). */
export const isStaff = (): boolean => requestContext.principal().kind === 'staff';
