import type { ApiClient } from '@sp/types';
import type { ApiClientRow } from './api-clients.repository';

export const toApiClient = (row: ApiClientRow): ApiClient => ({
  id: row.id,
  partnerId: row.partnerId,
  name: row.name,
  scopes: row.scopes,
  createdBy: row.createdBy,
  createdAt: row.createdAt.toISOString(),
  rotatedAt: row.rotatedAt?.toISOString() ?? null,
  revokedAt: row.revokedAt?.toISOString() ?? null,
  lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
});
