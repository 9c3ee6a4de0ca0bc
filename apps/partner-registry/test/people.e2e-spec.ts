import { randomUUID } from 'node:crypto';
import type { RegistryClient } from '@sp/client';
import {
  expectProblem,
  factories,
  type PartnerDetailBody,
  registryClient,
  staffToken,
  unchecked,
  useTestApp,
} from '@sp/testing';
import { sql } from 'kysely';
import { appModule, description } from '../src/app.module';

const ctx = useTestApp(appModule, description);
const make = factories(ctx);

let staff: RegistryClient;
let viewer: RegistryClient;
let eth: PartnerDetailBody;
let snu: PartnerDetailBody;
beforeAll(async () => {
  staff = registryClient(ctx, await staffToken('staff'));
  viewer = registryClient(ctx, await staffToken('viewer'));
  eth = await make.partner({ nameEn: 'ETH Zurich', country: 'CH', status: 'primary' });
  snu = await make.partner({ nameEn: 'Seoul National University', country: 'KR' });
});

const nextCursor = (page: { nextCursor: unknown }) => page.nextCursor as string | null;
const count = async (table: 'registry.contact' | 'registry.facultyLead') =>
  Number(
    (
      await ctx.database.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
const outboxOf = (id: string) =>
  ctx.database.db
    .selectFrom('registry.outbox')
    .select(['topic', 'name', 'payload'])
    .where(sql<boolean>`payload->>'id' = ${id}`)
    .orderBy('createdAt')
    .execute();
const auditOf = (entity: string, id: string) =>
  ctx.database.db
    .selectFrom('registry.auditLog')
    .select(['action', 'actorId'])
    .where('entity', '=', entity)
    .where('entityId', '=', id)
    .orderBy('id')
    .execute();

describe('contacts (staff)', () => {
  it('creates, reads, pages, updates and deletes a contact, with audit and events', async () => {
    const created = await staff.POST('/partners/{id}/contacts', {
      params: { path: { id: eth.id } },
      body: {
        nameEn: 'Anna Beispiel',
        nameJa: 'アンナ・バイシュピール',
        role: 'Head of International Office',
        email: 'Anna.Beispiel@ETH.example',
        phone: '+41 44 000 00 00',
        languages: ['de', 'en'],
      },
    });
    expect(created.response.status).toBe(201);
    const contact = created.data!;
    expect(contact).toMatchObject({
      partnerId: eth.id,
      nameJa: 'アンナ・バイシュピール',
      email: 'anna.beispiel@eth.example',
      languages: ['de', 'en'],
      version: 1,
    });
    expect(created.response.headers.get('location')).toBe(`/contacts/${contact.id}`);
    expect(created.response.headers.get('etag')).toBe('"1"');

    const read = await viewer.GET('/contacts/{id}', { params: { path: { id: contact.id } } });
    expect(read.data).toEqual(contact);

    const patched = await staff.PATCH('/contacts/{id}', {
      params: { path: { id: contact.id }, header: { 'If-Match': '"1"' } },
      body: { role: 'Director, Global Engagement', phone: null },
    });
    expect(patched.response.status).toBe(200);
    expect(patched.data).toMatchObject({
      role: 'Director, Global Engagement',
      phone: null,
      version: 2,
    });

    const gone = await staff.DELETE('/contacts/{id}', {
      params: { path: { id: contact.id }, header: { 'If-Match': '"2"' } },
    });
    expect(gone.response.status).toBe(204);
    expectProblem(
      await viewer.GET('/contacts/{id}', { params: { path: { id: contact.id } } }),
      404,
      'not-found',
    );

    expect(await auditOf('contact', contact.id)).toEqual([
      { action: 'create', actorId: 'staff-tester' },
      { action: 'update', actorId: 'staff-tester' },
      { action: 'delete', actorId: 'staff-tester' },
    ]);
    const events = await outboxOf(contact.id);
    expect(events.map((e) => [e.topic, e.name])).toEqual([
      ['registry-records', 'contact.created'],
      ['registry-records', 'contact.updated'],
      ['registry-records', 'contact.deleted'],
    ]);
    expect(events[1]!.payload).toEqual({
      id: contact.id,
      partnerId: eth.id,
      version: 2,
      fields: ['phone', 'role'],
    });
    // Events name the fields changed, never the personal data itself.
    expect(JSON.stringify(events)).not.toContain('Beispiel');
  });

  it("pages through a partner's contacts by name, every one exactly once", async () => {
    const partner = await make.partner();
    const names = ['Carla Ficta', 'Aiko Kakuu', 'Ben Imaginary', 'Dora Example', 'Eli Sample'];
    for (const nameEn of names) await make.contact(partner.id, { nameEn });
    await make.contact(snu.id);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await viewer.GET('/partners/{id}/contacts', {
        params: { path: { id: partner.id }, query: { limit: 2, cursor } },
      });
      expect(page.response.status).toBe(200);
      seen.push(...page.data!.items.map((c) => c.nameEn));
      cursor = nextCursor(page.data!) ?? undefined;
    } while (cursor);
    expect(seen).toEqual([...names].sort());
  });

  it('refuses bad input naming each field, and writes nothing', async () => {
    const before = await count('registry.contact');
    const res = await staff.POST('/partners/{id}/contacts', {
      params: { path: { id: eth.id } },
      body: unchecked({
        nameEn: '',
        email: 'not-an-address',
        phone: 'call me',
        languages: ['English'],
        salary: 1,
      }),
    });
    expectProblem(res, 400, 'validation-error', [
      'body:nameEn',
      'body:email',
      'body:phone',
      'body:languages.0',
      'body:salary',
    ]);
    expect(await count('registry.contact')).toBe(before);
    const empty = await staff.PATCH('/contacts/{id}', {
      params: { path: { id: randomUUID() }, header: { 'If-Match': '*' } },
      body: unchecked({}),
    });
    expectProblem(empty, 400, 'validation-error');
  });

  it('answers 404 for an unknown partner or contact', async () => {
    const id = randomUUID();
    expectProblem(
      await staff.POST('/partners/{id}/contacts', {
        params: { path: { id } },
        body: { nameEn: 'Nobody', email: 'nobody@example.org', languages: [] },
      }),
      404,
      'not-found',
    );
    expectProblem(
      await viewer.GET('/partners/{id}/contacts', { params: { path: { id } } }),
      404,
      'not-found',
    );
    expectProblem(
      await viewer.GET('/contacts/{id}', { params: { path: { id } } }),
      404,
      'not-found',
    );
    expectProblem(
      await staff.PATCH('/contacts/{id}', {
        params: { path: { id }, header: { 'If-Match': '*' } },
        body: { role: 'x' },
      }),
      404,
      'not-found',
    );
    expectProblem(
      await staff.DELETE('/contacts/{id}', {
        params: { path: { id }, header: { 'If-Match': '*' } },
      }),
      404,
      'not-found',
    );
  });

  it('refuses a second contact with the same e-mail at one partner (409 on email)', async () => {
    await make.contact(eth.id, { email: 'dup@eth.example' });
    const res = await staff.POST('/partners/{id}/contacts', {
      params: { path: { id: eth.id } },
      body: { nameEn: 'Other Person', email: 'DUP@eth.example', languages: [] },
    });
    expect(expectProblem(res, 409, 'conflict').errors?.[0]).toMatchObject({ field: 'email' });
    // The same address at another partner is another person's record: allowed.
    expect((await make.contact(snu.id, { email: 'dup@eth.example' })).partnerId).toBe(snu.id);
  });

  it('takes the ETag read: 428 without If-Match, 412 when stale, nothing written', async () => {
    const contact = await make.contact(eth.id, { role: 'Original' });
    const missing = await staff.PATCH('/contacts/{id}', {
      params: { path: { id: contact.id } } as never,
      body: { role: 'Unconditional' },
    });
    expectProblem(missing, 428, 'precondition-required');
    const first = await staff.PATCH('/contacts/{id}', {
      params: { path: { id: contact.id }, header: { 'If-Match': '"1"' } },
      body: { role: 'First' },
    });
    expect(first.response.headers.get('etag')).toBe('"2"');
    const stale = await staff.PATCH('/contacts/{id}', {
      params: { path: { id: contact.id }, header: { 'If-Match': '"1"' } },
      body: { role: 'Second' },
    });
    expectProblem(stale, 412, 'precondition-failed');
    const staleDelete = await staff.DELETE('/contacts/{id}', {
      params: { path: { id: contact.id }, header: { 'If-Match': '"1"' } },
    });
    expectProblem(staleDelete, 412, 'precondition-failed');
    expectProblem(
      await staff.DELETE('/contacts/{id}', { params: { path: { id: contact.id } } } as never),
      428,
      'precondition-required',
    );
    const row = await ctx.database.db
      .selectFrom('registry.contact')
      .select(['role', 'version'])
      .where('id', '=', contact.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ role: 'First', version: '2' });
  });
});

describe('contacts (partner tokens)', () => {
  it('lets a partner read and maintain its own contacts only', async () => {
    const own = await make.contact(eth.id, { nameEn: 'Own Contact' });
    const other = await make.contact(snu.id, { nameEn: 'Other Contact' });
    const writer = (await make.apiClient(eth.id, { scopes: ['registry:read', 'contacts:write'] }))
      .registry;
    const reader = (await make.apiClient(eth.id, { scopes: ['registry:read'] })).registry;

    const list = await reader.GET('/partners/{id}/contacts', {
      params: { path: { id: eth.id }, query: { limit: 200 } },
    });
    expect(list.data!.items.map((c) => c.id)).toContain(own.id);
    expect(list.data!.items.every((c) => c.partnerId === eth.id)).toBe(true);
    // Another partner's contacts do not exist for it.
    for (const res of [
      await reader.GET('/partners/{id}/contacts', { params: { path: { id: snu.id } } }),
      await reader.GET('/contacts/{id}', { params: { path: { id: other.id } } }),
      await writer.PATCH('/contacts/{id}', {
        params: { path: { id: other.id }, header: { 'If-Match': '*' } },
        body: { role: 'hijacked' },
      }),
      await writer.DELETE('/contacts/{id}', {
        params: { path: { id: other.id }, header: { 'If-Match': '*' } },
      }),
      await writer.POST('/partners/{id}/contacts', {
        params: { path: { id: snu.id } },
        body: { nameEn: 'Planted', email: 'planted@example.org', languages: [] },
      }),
    ])
      expectProblem(res, 404, 'not-found');

    // Reading is not writing: without contacts:write, 403.
    expectProblem(
      await reader.PATCH('/contacts/{id}', {
        params: { path: { id: own.id }, header: { 'If-Match': '*' } },
        body: { role: 'x' },
      }),
      403,
      'forbidden',
    );

    const added = await writer.POST('/partners/{id}/contacts', {
      params: { path: { id: eth.id } },
      body: { nameEn: 'Self Reported', email: 'self@eth.example', languages: ['en'] },
    });
    expect(added.response.status).toBe(201);
    const edited = await writer.PATCH('/contacts/{id}', {
      params: { path: { id: own.id }, header: { 'If-Match': '"1"' } },
      body: { role: 'Edited by the partner' },
    });
    expect(edited.data?.role).toBe('Edited by the partner');
    const audit = await auditOf('contact', own.id);
    expect(audit.at(-1)).toMatchObject({ action: 'update' });
    expect(audit.at(-1)?.actorId).not.toBe('admin-tester');
    const untouched = await viewer.GET('/contacts/{id}', { params: { path: { id: other.id } } });
    expect(untouched.data?.role).toBe(other.role);
    // Faculty leads are UTokyo staff's personal data: no partner scope reaches them.
    expectProblem(await reader.GET('/faculty-leads'), 403, 'forbidden');
  });
});

describe('faculty leads', () => {
  it('creates a lead linked to partners, filters by partner and relinks on update', async () => {
    const created = await staff.POST('/faculty-leads', {
      body: {
        nameEn: 'Taro Kakuu',
        nameJa: '架空 太郎',
        department: 'Graduate School of Engineering',
        email: 'taro.kakuu@utokyo.example',
        partnerIds: [eth.id, snu.id, eth.id],
      },
    });
    expect(created.response.status).toBe(201);
    const lead = created.data!;
    expect(lead.partners.map((p) => p.nameEn)).toEqual(['ETH Zurich', 'Seoul National University']);
    expect(created.response.headers.get('etag')).toBe('"1"');
    await make.facultyLead({ nameEn: 'Zed Unlinked' });

    const ofEth = await viewer.GET('/faculty-leads', {
      params: { query: { partnerId: eth.id, limit: 200 } },
    });
    expect(ofEth.data!.items.map((l) => l.id)).toEqual([lead.id]);
    const byDept = await viewer.GET('/faculty-leads', {
      params: { query: { department: 'graduate school of engineering', limit: 200 } },
    });
    expect(byDept.data!.items.map((l) => l.nameEn)).toEqual(
      expect.arrayContaining(['Taro Kakuu', 'Zed Unlinked']),
    );

    const relinked = await staff.PATCH('/faculty-leads/{id}', {
      params: { path: { id: lead.id }, header: { 'If-Match': '"1"' } },
      body: { partnerIds: [snu.id] },
    });
    expect(relinked.response.status).toBe(200);
    expect(relinked.data).toMatchObject({ version: 2, partners: [{ id: snu.id }] });
    const read = await viewer.GET('/faculty-leads/{id}', { params: { path: { id: lead.id } } });
    expect(read.data!.partners.map((p) => p.id)).toEqual([snu.id]);
    expect(read.response.headers.get('etag')).toBe('"2"');
    expect((await auditOf('faculty-lead', lead.id)).map((a) => a.action)).toEqual([
      'create',
      'update',
    ]);
    expect((await outboxOf(lead.id)).map((e) => e.name)).toEqual([
      'faculty-lead.created',
      'faculty-lead.updated',
    ]);
  });

  it('takes one partner given twice in different cases as one link', async () => {
    // Postgres writes UUIDs in lower case; the set of ids must be made after lower-casing, or
    // the two spellings become two rows of one link (a unique violation: a 500 before).
    const created = await staff.POST('/faculty-leads', {
      body: {
        nameEn: 'Hanako Kakuu',
        department: 'Faculty of Letters',
        email: 'hanako.kakuu@utokyo.example',
        partnerIds: [eth.id.toUpperCase(), eth.id],
      },
    });
    expect(created.response.status).toBe(201);
    const lead = created.data!;
    expect(lead.partners.map((p) => p.id)).toEqual([eth.id]);
    const relinked = await staff.PATCH('/faculty-leads/{id}', {
      params: { path: { id: lead.id.toUpperCase() }, header: { 'If-Match': '"1"' } },
      body: { partnerIds: [snu.id, snu.id.toUpperCase(), eth.id.toUpperCase()] },
    });
    expect(relinked.response.status).toBe(200);
    expect(relinked.data!.partners.map((p) => p.id).sort()).toEqual([eth.id, snu.id].sort());
    const [event] = (await outboxOf(lead.id)).slice(-1);
    expect(event).toMatchObject({
      name: 'faculty-lead.updated',
      payload: { partnerIds: expect.arrayContaining([eth.id, snu.id]) },
    });
    expect((event!.payload as { partnerIds: string[] }).partnerIds).toHaveLength(2);
  });

  it('refuses bad input and unknown partners naming the field, writing nothing', async () => {
    const before = await count('registry.facultyLead');
    expectProblem(
      await staff.POST('/faculty-leads', {
        body: unchecked({ nameEn: 'X', email: 'nope', partnerIds: ['not-a-uuid'] }),
      }),
      400,
      'validation-error',
      ['body:department', 'body:email', 'body:partnerIds.0'],
    );
    expectProblem(
      await staff.POST('/faculty-leads', {
        body: {
          nameEn: 'Ghost Link',
          department: 'Faculty of Law',
          email: 'ghost@utokyo.example',
          partnerIds: [randomUUID()],
        },
      }),
      400,
      'validation-error',
      ['body:partnerIds'],
    );
    expect(await count('registry.facultyLead')).toBe(before);
    const lead = await make.facultyLead();
    expectProblem(
      await staff.POST('/faculty-leads', {
        body: {
          nameEn: 'Same Mail',
          department: 'Faculty of Law',
          email: lead.email,
          partnerIds: [],
        },
      }),
      409,
      'conflict',
      ['body:email'],
    );
  });

  it('answers 404, 428 and 412 like every update', async () => {
    expectProblem(
      await viewer.GET('/faculty-leads/{id}', { params: { path: { id: randomUUID() } } }),
      404,
      'not-found',
    );
    const lead = await make.facultyLead();
    expectProblem(
      await staff.PATCH('/faculty-leads/{id}', {
        params: { path: { id: lead.id } } as never,
        body: { department: 'Faculty of Letters' },
      }),
      428,
      'precondition-required',
    );
    await staff.PATCH('/faculty-leads/{id}', {
      params: { path: { id: lead.id }, header: { 'If-Match': '"1"' } },
      body: { department: 'Faculty of Letters' },
    });
    expectProblem(
      await staff.PATCH('/faculty-leads/{id}', {
        params: { path: { id: lead.id }, header: { 'If-Match': '"1"' } },
        body: { department: 'Faculty of Science' },
      }),
      412,
      'precondition-failed',
    );
    const read = await viewer.GET('/faculty-leads/{id}', { params: { path: { id: lead.id } } });
    expect(read.data!.department).toBe('Faculty of Letters');
    expectProblem(
      await viewer.PATCH('/faculty-leads/{id}', {
        params: { path: { id: lead.id }, header: { 'If-Match': '*' } },
        body: { department: 'x' },
      }),
      403,
      'forbidden',
    );
  });
});
