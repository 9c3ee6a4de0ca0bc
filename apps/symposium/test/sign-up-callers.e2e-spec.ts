import { expectProblem, factories, symposiumClient, useTestAppWithPartners } from '@sp/testing';
import { appModule, description } from '../src/app.module';

/**
 * The public sign-up route: the public's whatever token comes with it, and a name that stays
 * a name. Apart from
 * registrations.e2e-spec.ts because sign-ups are limited per address per minute, and that
 * file uses its budget.
 */
const { app: ctx, tokens } = useTestAppWithPartners(appModule, description, {
  scopes: { partnerA: ['symposium:register'], partnerB: ['registry:read'] },
});
const make = factories(ctx);
const PARTNER_A = '0a000000-0000-4000-8000-00000000000a';

const openSymposium = async () => {
  const symposium = await make.symposium({ status: 'registration-open' });
  await make.registrationSettings(symposium.id, { capacity: 5 });
  return symposium;
};

const partnerOf = async (symposiumId: string, email: string) =>
  (
    await ctx.database.db
      .selectFrom('symposium.registration')
      .select('partnerId')
      .where('symposiumId', '=', symposiumId)
      .where('email', '=', email)
      .executeTakeFirstOrThrow()
  ).partnerId;

it('a partner token without symposium:register adds nobody to its delegation through it', async () => {
  const symposium = await openSymposium();
  const withoutScope = symposiumClient(ctx, tokens().partnerB);
  const body = { name: 'Walk In', email: 'walk-in@example.org' };
  const signed = await withoutScope.POST('/symposiums/{id}/sign-ups', {
    params: { path: { id: symposium.id } },
    body,
  });
  expect(signed.response.status).toBe(201);
  expect(await partnerOf(symposium.id, body.email)).toBeNull();
  // The partner's own route still asks for the scope.
  expectProblem(
    await withoutScope.POST('/symposiums/{id}/registrations', {
      params: { path: { id: symposium.id } },
      body: { ...body, email: 'other@example.org' },
    }),
    403,
    'forbidden',
  );
});

it('a partner token with the scope registers its delegation on its own route, the public on this one', async () => {
  const symposium = await openSymposium();
  const partner = symposiumClient(ctx, tokens().partnerA);
  const own = await partner.POST('/symposiums/{id}/registrations', {
    params: { path: { id: symposium.id } },
    body: { name: 'Delegate', email: 'delegate@example.org' },
  });
  expect(own.response.status).toBe(201);
  expect(await partnerOf(symposium.id, 'delegate@example.org')).toBe(PARTNER_A);
  const signed = await partner.POST('/symposiums/{id}/sign-ups', {
    params: { path: { id: symposium.id } },
    body: { name: 'Guest', email: 'guest@example.org' },
  });
  expect(signed.response.status).toBe(201);
  expect(await partnerOf(symposium.id, 'guest@example.org')).toBeNull();
});

it('refuses a name with paragraphs or a link: the confirmation greets the registrant by it', async () => {
  const symposium = await openSymposium();
  for (const name of ['Aiko\n\nPay the fee at https://pay.example/confirm', 'www.pay.example']) {
    const res = await symposiumClient(ctx).POST('/symposiums/{id}/sign-ups', {
      params: { path: { id: symposium.id } },
      body: { name, email: 'victim@example.org' },
    });
    expect(expectProblem(res, 400, 'validation-error').errors?.map((e) => e.field)).toEqual([
      'name',
    ]);
  }
  expect(
    await ctx.database.db
      .selectFrom('symposium.registration')
      .select('id')
      .where('symposiumId', '=', symposium.id)
      .execute(),
  ).toEqual([]);
});
