import { z } from 'zod';
import { partnerScopeSchema } from '../shared/auth';
import { isoDateTimeSchema, uuid } from '../shared/common';

export const apiClientCreateSchema = z
  .object({
    /** What the client is for, e.g. "Cambridge mobility sync". */
    name: z.string().trim().min(1).max(200),
    scopes: z.array(partnerScopeSchema).min(1).max(10),
  })
  .strict();
export type ApiClientCreate = z.infer<typeof apiClientCreateSchema>;

export const apiClientSchema = z
  .object({
    id: uuid(),
    partnerId: uuid(),
    name: z.string(),
    scopes: z.array(partnerScopeSchema),
    createdBy: z.string(),
    createdAt: isoDateTimeSchema,
    rotatedAt: isoDateTimeSchema.nullable(),
    revokedAt: isoDateTimeSchema.nullable(),
    lastUsedAt: isoDateTimeSchema.nullable(),
  })
  .meta({ id: 'ApiClient' });
export type ApiClient = z.infer<typeof apiClientSchema>;

/** Returned once, when a client is created or its secret rotated; never again. */
export const apiClientWithSecretSchema = z.object({
  client: apiClientSchema,
  clientSecret: z.string(),
});
export type ApiClientWithSecret = z.infer<typeof apiClientWithSecretSchema>;

export const apiClientListSchema = z.object({ items: z.array(apiClientSchema) });
export type ApiClientList = z.infer<typeof apiClientListSchema>;

export const clientIdParamsSchema = z.object({ clientId: uuid() });

/** RFC 6749 §4.4.2; client credentials may come in the body or as HTTP Basic. */
export const tokenRequestSchema = z.object({
  grant_type: z.string(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  scope: z.string().optional(),
});
export type TokenRequest = z.infer<typeof tokenRequestSchema>;

export const tokenResponseSchema = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
  scope: z.string(),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

export const jwksSchema = z.object({ keys: z.array(z.record(z.string(), z.unknown())) });
export type Jwks = z.infer<typeof jwksSchema>;
