import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { PartnerTokenSource, type RegistryClient, type RegistrySchemas } from '@sp/client';
import type { DB } from '@sp/db';
import { type Insertable, type Selectable, sql } from 'kysely';
import type { PartnerScope } from '@sp/types';
import type { TestApp } from './app';
import { staffToken } from './auth';
import { registryClient } from './client';

type Schemas = RegistrySchemas['schemas'];
export type PartnerCreateBody = Schemas['PartnerCreateDto'];
export type PartnerDetailBody = Schemas['PartnerDetailDto'];
export type ContactCreateBody = Schemas['ContactCreateDto'];
export type ContactBody = Schemas['ContactDto'];
export type FacultyLeadCreateBody = Schemas['FacultyLeadCreateDto'];
export type FacultyLeadBody = Schemas['FacultyLeadDto'];
export type AgreementRow = Selectable<DB['registry.agreement']>;
export type AgreementCreateBody = Schemas['AgreementCreateDto'];
export type AgreementBody = Schemas['AgreementDetailDto'];
export type SymposiumRow = Selectable<DB['symposium.symposium']>;
export type SymposiumDocumentRow = Selectable<DB['symposium.document']>;
export type PartnerSnapshotRow = Selectable<DB['symposium.partner']>;
export type ActivityCreateBody = Schemas['ActivityCreateDto'];
export type ActivityBody = Schemas['ActivityDto'];
export type MobilityCreateBody = Schemas['MobilityCreateDto'];
export type MobilityRecordBody = Schemas['MobilityRecordDto'];
export type FundingCreateBody = Schemas['FundingCreateDto'];
export type FundingBody = Schemas['FundingDto'];
export type RegistrationSettingsRow = Selectable<DB['symposium.registrationSettings']>;
export type RegistrationRow = Selectable<DB['symposium.registration']>;
export type SymposiumSessionRow = Selectable<DB['symposium.session']>;
export type InquiryRow = Selectable<DB['inquiries.inquiry']>;
export type CannedResponseRow = Selectable<DB['inquiries.cannedResponse']>;
export type InquiryMessageRow = Selectable<DB['inquiries.message']>;
export type InboundMessageRow = Selectable<DB['inquiries.inboundMessage']>;
/** Factory inquiries are numbered in a year of their own, apart from real submissions. */
export const FACTORY_INQUIRY_YEAR = 2099;

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
 * them, so the test app must be the registry for those; rows no API writes yet
 * (symposiums and their documents, partner snapshots) are inserted into the test database.
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

    /** A contact of a partner (fictional person), created through `POST /partners/:id/contacts`. */
    async contact(
      partnerId: string,
      overrides: Partial<ContactCreateBody> = {},
    ): Promise<ContactBody> {
      const i = next();
      const body: ContactCreateBody = {
        nameEn: `Contact ${tag}-${i}`,
        email: `contact-${tag}-${i}@partner.example`,
        languages: ['en'],
        ...overrides,
      };
      return created(
        'a contact',
        await (
          await asAdmin()
        ).POST('/partners/{id}/contacts', { params: { path: { id: partnerId } }, body }),
      );
    },

    /** A UTokyo faculty lead (fictional person), created through `POST /faculty-leads`. */
    async facultyLead(overrides: Partial<FacultyLeadCreateBody> = {}): Promise<FacultyLeadBody> {
      const i = next();
      const body: FacultyLeadCreateBody = {
        nameEn: `Lead ${tag}-${i}`,
        department: 'Graduate School of Engineering',
        email: `lead-${tag}-${i}@utokyo.example`,
        partnerIds: [],
        ...overrides,
      };
      return created('a faculty lead', await (await asAdmin()).POST('/faculty-leads', { body }));
    },

    /** An agreement of a partner, recorded through `POST /partners/:id/agreements`. */
    async agreement(
      partnerId: string,
      overrides: Partial<AgreementCreateBody> = {},
    ): Promise<AgreementBody> {
      const body: AgreementCreateBody = {
        kind: 'comprehensive',
        title: `Memorandum ${tag}-${next()}`,
        signatories: [],
        autoRenewal: false,
        ...overrides,
      };
      return created(
        'an agreement',
        await (
          await asAdmin()
        ).POST('/partners/{id}/agreements', { params: { path: { id: partnerId } }, body }),
      );
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

    /**
     * Registration settings of a symposium, written to `symposium.registration_settings`: open
     * from an hour ago for 30 days, 50 seats, no extra form fields, unless given.
     */
    async registrationSettings(
      symposiumId: string,
      overrides: Partial<
        Omit<Insertable<DB['symposium.registrationSettings']>, 'symposiumId'>
      > = {},
    ): Promise<RegistrationSettingsRow> {
      const now = Date.now();
      return ctx.database.db
        .insertInto('symposium.registrationSettings')
        .values({
          symposiumId,
          capacity: 50,
          opensAt: new Date(now - 3_600_000),
          closesAt: new Date(now + 30 * 86_400_000),
          ...overrides,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    /**
     * A registration written straight to `symposium.registration` (confirmed unless given); its
     * secret link is unknown (a random hash): register through the API to test the link.
     */
    async registration(
      symposiumId: string,
      overrides: Partial<Omit<Insertable<DB['symposium.registration']>, 'symposiumId'>> = {},
    ): Promise<RegistrationRow> {
      const i = next();
      return ctx.database.db
        .insertInto('symposium.registration')
        .values({
          symposiumId,
          name: `Registrant ${tag}-${i}`,
          email: `registrant-${tag}-${i}@example.org`,
          language: 'en',
          status: 'confirmed',
          tokenHash: randomBytes(32).toString('hex'),
          checkInCode: randomBytes(6)
            .toString('base64url')
            .toUpperCase()
            .replace(/[^A-Z0-9]/g, 'X')
            .slice(0, 8),
          // A seat since it was made (a row made in the past held its seat since then).
          confirmedAt:
            overrides.createdAt === undefined ? new Date() : new Date(overrides.createdAt),
          ...overrides,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    /**
     * A programme session of a symposium, written to `symposium.session`: a talk of an hour
     * in no room (so it overlaps nothing) unless given, on a day of its own.
     */
    async symposiumSession(
      symposiumId: string,
      overrides: Partial<Omit<Insertable<DB['symposium.session']>, 'symposiumId'>> = {},
    ): Promise<SymposiumSessionRow> {
      const start = new Date(Date.UTC(2100, 0, 1, 1) + next() * 3_600_000);
      return ctx.database.db
        .insertInto('symposium.session')
        .values({
          symposiumId,
          kind: 'talk',
          titleEn: `Session ${tag}-${n}`,
          startsAt: start,
          endsAt: new Date(start.getTime() + 3_600_000),
          ...overrides,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    /** A consumer's snapshot of a registry partner (what the registry's events leave there). */
    async partnerSnapshot(
      overrides: Partial<Insertable<DB['symposium.partner']>> = {},
      schema: 'symposium' | 'inquiries' = 'symposium',
    ): Promise<PartnerSnapshotRow> {
      return ctx.database.db
        .insertInto(schema === 'symposium' ? 'symposium.partner' : 'inquiries.partner')
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

    /**
     * An inquiry, written to `inquiries.inquiry` with its first (inquirer's) message, numbered
     * in FACTORY_INQUIRY_YEAR from the same counter; with its secret status token.
     */
    async inquiry(
      overrides: Partial<
        Omit<
          Insertable<DB['inquiries.inquiry']>,
          'reference' | 'referenceYear' | 'referenceNumber' | 'statusTokenHash'
        >
      > = {},
    ): Promise<{ inquiry: InquiryRow; message: InquiryMessageRow; statusToken: string }> {
      const statusToken = randomBytes(32).toString('base64url');
      return ctx.database.db.transaction().execute(async (trx) => {
        const year = FACTORY_INQUIRY_YEAR;
        const { number } = await trx
          .insertInto('inquiries.referenceCounter')
          .values({ year, nextNumber: 2 })
          .onConflict((oc) =>
            oc
              .column('year')
              .doUpdateSet({ nextNumber: sql<number>`reference_counter.next_number + 1` }),
          )
          .returning(sql<number>`next_number - 1`.as('number'))
          .executeTakeFirstOrThrow();
        const inquiry = await trx
          .insertInto('inquiries.inquiry')
          .values({
            reference: `INQ-${year}-${String(number).padStart(6, '0')}`,
            referenceYear: year,
            referenceNumber: number,
            category: 'other',
            name: `Inquirer ${tag}-${next()}`,
            email: `inquirer-${tag}-${n}@example.org`,
            language: 'en',
            subject: `Question ${tag}-${n}`,
            statusTokenHash: createHash('sha256').update(statusToken).digest('hex'),
            ...overrides,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        const message = await trx
          .insertInto('inquiries.message')
          .values({
            inquiryId: inquiry.id,
            authorKind: 'inquirer',
            visibility: 'public',
            channel: 'form',
            body: `The question of ${inquiry.reference}.`,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return { inquiry, message, statusToken };
      });
    },

    /** A message in an inquiry's thread (a staff internal note unless told otherwise). */
    async inquiryMessage(
      inquiryId: string,
      overrides: Partial<Omit<Insertable<DB['inquiries.message']>, 'inquiryId'>> = {},
    ): Promise<InquiryMessageRow> {
      return ctx.database.db
        .insertInto('inquiries.message')
        .values({
          inquiryId,
          authorKind: 'staff',
          authorId: 'staff-tester',
          visibility: 'internal',
          channel: 'desk',
          body: `Note ${tag}-${next()}`,
          ...overrides,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    /** A mail that matched no inquiry, waiting in the review list. */
    async inboundMessage(
      overrides: Partial<Insertable<DB['inquiries.inboundMessage']>> = {},
    ): Promise<InboundMessageRow> {
      return ctx.database.db
        .insertInto('inquiries.inboundMessage')
        .values({
          fromAddress: `sender-${tag}-${next()}@example.org`,
          subject: `Unmatched ${tag}-${n}`,
          body: 'A mail that names no inquiry.',
          messageId: `<inbound-${tag}-${n}@example.org>`,
          ...overrides,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    },
    /**
     * An inquiry as the public form leaves it (state `new`), written to `inquiries.inquiry`
     * with its first message; references are `INQ-2098-…`, apart from real submissions and `inquiry()`.
     * Due times are the caller's to set (the SLA sweep fills in missing ones).
     */
    async inquiryRow(
      overrides: Partial<Insertable<DB['inquiries.inquiry']>> = {},
      message = 'Could we discuss a joint summer school?',
    ): Promise<InquiryRow> {
      const number = (parseInt(tag, 16) % 900_000) + next();
      const row = await ctx.database.db
        .insertInto('inquiries.inquiry')
        .values({
          reference: `INQ-2098-${String(number).padStart(6, '0')}`,
          referenceYear: 2098,
          referenceNumber: number,
          category: 'other',
          name: `Inquirer ${tag}-${number}`,
          email: `inquirer-${tag}-${number}@example.org`,
          language: 'en',
          subject: `Question ${tag}-${number}`,
          statusTokenHash: randomBytes(32).toString('hex'),
          ...overrides,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await ctx.database.db
        .insertInto('inquiries.message')
        .values({
          inquiryId: row.id,
          authorKind: 'inquirer',
          visibility: 'public',
          channel: 'form',
          body: message,
          createdAt: row.createdAt,
        })
        .execute();
      return row;
    },

    /** A canned response of the desk, written to `inquiries.canned_response`. */
    async cannedResponse(
      overrides: Partial<Insertable<DB['inquiries.cannedResponse']>> = {},
    ): Promise<CannedResponseRow> {
      return ctx.database.db
        .insertInto('inquiries.cannedResponse')
        .values({
          title: `Canned ${tag}-${next()}`,
          bodyEn: 'Thank you for your inquiry; we will come back to you shortly.',
          bodyJa: 'お問い合わせありがとうございます。追ってご連絡いたします。',
          ...overrides,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    },
  };
}

export type Factories = ReturnType<typeof factories>;
