import { randomBytes, randomUUID } from 'node:crypto';
import { PartnerTokenSource, type RegistryClient, type RegistrySchemas } from '@sp/client';
import type { DB } from '@sp/db';
import type { Insertable, Selectable } from 'kysely';
import type { PartnerScope } from '@sp/types';
import type { TestApp } from './app';
import { staffToken } from './auth';
import { registryClient } from './client';

type Schemas = RegistrySchemas['schemas'];
export type PartnerCreateBody = Schemas['PartnerCreateDto'];
export type PartnerDetailBody = Schemas['PartnerDetailDto'];
export type AgreementRow = Selectable<DB['registry.agreement']>;
export type SymposiumRow = Selectable<DB['symposium.symposium']>;
export type SymposiumDocumentRow = Selectable<DB['symposium.document']>;
export type PartnerSnapshotRow = Selectable<DB['symposium.partner']>;
export type ActivityCreateBody = Schemas['ActivityCreateDto'];
export type ActivityBody = Schemas['ActivityDto'];
export type MobilityCreateBody = Schemas['MobilityCreateDto'];
export type MobilityRecordBody = Schemas['MobilityRecordDto'];
export type FundingCreateBody = Schemas['FundingCreateDto'];
export type FundingBody = Schemas['FundingDto'];

/** A partner's API client with its one-time secret, and that partner's way in. */
export type TestApiClient = {
  id: string;
  secret: string;
  scopes: PartnerScope[];
  /** The client credentials grant against the registry under test (tokens cached). */
  tokens: PartnerTokenSource;
  /** The registry client calling as this partner (its token fetched on first use). */
  registry: RegistryClient;
};

/** Throws with the status and body when a factory's request is refused (a broken fixture). */
function created<T>(what: string, result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data === undefined)
    throw new Error(
      `creating ${what} answered ${result.response.status}: ${JSON.stringify(result.error)}`,
    );
  return result.data;
}

/**
 * A factory per entity, for tests that build the data they assert on (rather than relying on
 * seed rows). Registry entities go through the registry's API as an admin, as staff would make
 * them, so the test app must be the registry for those; rows no API writes yet (agreements,
 * symposiums and their documents, partner snapshots) are inserted into the test database.
 * Every default is unique per call, so factories never collide with each other or the seed.
 * Writes through the API are made as the admin tester (`staffToken('admin')`, `admin-tester`).
 */
export function factories(ctx: TestApp) {
  const tag = randomBytes(3).toString('hex');
  let n = 0;
  const next = () => ++n;
  let admin: Promise<string> | undefined;
  const asAdmin = async () => registryClient(ctx, await (admin ??= staffToken('admin')));

  return {
    /** A partner, created through `POST /partners`; its detail as the API answers it. */
    async partner(overrides: Partial<PartnerCreateBody> = {}): Promise<PartnerDetailBody> {
      const body: PartnerCreateBody = {
        nameEn: `Factory University ${tag}-${next()}`,
        country: 'JP',
        status: 'prospective',
        memberInstitutions: [],
        ...overrides,
      };
      return created('a partner', await (await asAdmin()).POST('/partners', { body }));
    },

    /** An agreement of a partner, written to `registry.agreement`. */
    async agreement(
      partnerId: string,
      overrides: Partial<Omit<Insertable<DB['registry.agreement']>, 'partnerId'>> = {},
    ): Promise<AgreementRow> {
      return ctx.database.db
        .insertInto('registry.agreement')
        .values({
          partnerId,
          kind: 'memorandum',
          title: `Memorandum ${tag}-${next()}`,
          ...overrides,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    /**
     * An API client of a partner, created through `POST /partners/:id/clients`, with a token
     * source and a registry client that call as it.
     */
    async apiClient(
      partnerId: string,
      options: { scopes?: PartnerScope[]; name?: string } = {},
    ): Promise<TestApiClient> {
      const scopes = options.scopes ?? ['registry:read'];
      const res = created(
        'an API client',
        await (
          await asAdmin()
        ).POST('/partners/{id}/clients', {
          params: { path: { id: partnerId } },
          body: { name: options.name ?? `Sync ${tag}-${next()}`, scopes },
        }),
      );
      const tokens = new PartnerTokenSource({
        registryUrl: ctx.running.url,
        clientId: res.client.id,
        clientSecret: res.clientSecret,
      });
      return {
        id: res.client.id,
        secret: res.clientSecret,
        scopes,
        tokens,
        registry: registryClient(ctx, { partner: tokens }),
      };
    },

    /**
     * An activity of a partner, created through `POST /activities` as staff (so approved as
     * written; public only when `isPublic` is given).
     */
    async activity(
      partnerId: string,
      overrides: Partial<ActivityCreateBody> = {},
    ): Promise<ActivityBody> {
      const body: ActivityCreateBody = {
        partnerId,
        type: 'joint-research',
        titleEn: `Joint research ${tag}-${next()}`,
        departments: [],
        leads: [],
        status: 'ongoing',
        isPublic: false,
        links: [],
        outputs: { papers: [], events: [] },
        ...overrides,
      };
      return created('an activity', await (await asAdmin()).POST('/activities', { body }));
    },

    /** A mobility report of a partner, created through `POST /mobility` as staff (approved). */
    async mobility(
      partnerId: string,
      overrides: Partial<MobilityCreateBody> = {},
    ): Promise<MobilityRecordBody> {
      const body: MobilityCreateBody = {
        partnerId,
        fiscalYear: 2024,
        direction: 'inbound',
        personType: 'graduate',
        programme: `Exchange ${tag}-${next()}`,
        count: 1,
        ...overrides,
      };
      return created('a mobility report', await (await asAdmin()).POST('/mobility', { body }));
    },

    /** External funding of a partner, created through `POST /funding` as staff. */
    async funding(
      partnerId: string,
      overrides: Partial<FundingCreateBody> = {},
    ): Promise<FundingBody> {
      const body: FundingCreateBody = {
        partnerId,
        source: `Funder ${tag}-${next()}`,
        amount: '1000000',
        currency: 'JPY',
        fiscalYear: 2024,
        status: 'applied',
        ...overrides,
      };
      return created('funding', await (await asAdmin()).POST('/funding', { body }));
    },

    /** A symposium, written to `symposium.symposium` (held on a unique day unless given). */
    async symposium(
      overrides: Partial<Insertable<DB['symposium.symposium']>> = {},
    ): Promise<SymposiumRow> {
      const day = new Date(Date.UTC(2100, 0, 1) + next() * 86_400_000);
      return ctx.database.db
        .insertInto('symposium.symposium')
        .values({
          titleEn: `Symposium ${tag}-${n}`,
          heldOn: day.toISOString().slice(0, 10),
          status: 'planned',
          ...overrides,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    /** A published document of a symposium, written to `symposium.document`. */
    async symposiumDocument(
      symposiumId: string,
      overrides: Partial<Omit<Insertable<DB['symposium.document']>, 'symposiumId'>> = {},
    ): Promise<SymposiumDocumentRow> {
      return ctx.database.db
        .insertInto('symposium.document')
        .values({
          symposiumId,
          kind: 'report',
          language: 'en',
          title: `Report ${tag}-${next()}`,
          published: true,
          ...overrides,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    /** A consumer's snapshot of a registry partner (what the registry's events leave there). */
    async partnerSnapshot(
      overrides: Partial<Insertable<DB['symposium.partner']>> = {},
    ): Promise<PartnerSnapshotRow> {
      return ctx.database.db
        .insertInto('symposium.partner')
        .values({
          id: randomUUID(),
          nameEn: `Snapshot University ${tag}-${next()}`,
          country: 'JP',
          status: 'primary',
          sourceUpdatedAt: new Date(),
          ...overrides,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    },
  };
}

export type Factories = ReturnType<typeof factories>;
