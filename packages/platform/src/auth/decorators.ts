import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import type { PartnerScope, StaffRole } from '@sp/types';

export const AUTH_POLICY = 'sp:auth-policy';

/**
 * Who may call a route. Every route declares one (a test walks them all): `@Public()`, or
 * `@Roles(min)` for staff and/or `@Scopes(...)` for partner clients. Both may be given.
 */
export type AuthPolicy = {
  public?: true;
  /** For public routes: requests per minute per address (default RATE_LIMIT_PUBLIC_PER_MINUTE), or off. */
  rateLimit?: false | { perMinute: number };
  /** The lowest staff role allowed (viewer < staff < admin). */
  minRole?: StaffRole;
  /** Partner tokens carrying any one of these scopes are allowed (bound to their partner). */
  scopes?: PartnerScope[];
};

const extend = (key: keyof AuthPolicy, value: AuthPolicy[keyof AuthPolicy]) =>
  ((target: object, propertyKey?: string | symbol, descriptor?: PropertyDescriptor) => {
    const holder: object = (descriptor?.value as object | undefined) ?? target;
    const current = (Reflect.getMetadata(AUTH_POLICY, holder) as AuthPolicy | undefined) ?? {};
    SetMetadata(AUTH_POLICY, { ...current, [key]: value })(
      target,
      propertyKey as string,
      descriptor as PropertyDescriptor,
    );
  }) as MethodDecorator & ClassDecorator;

/**
 * Anyone, without a token. Rate-limited per client address unless `rateLimit: false` (probes
 * and scrapes from inside the cluster) or given its own limit.
 */
export const Public = (
  options: { rateLimit?: false | { perMinute: number } } = {},
): MethodDecorator & ClassDecorator =>
  options.rateLimit === undefined
    ? extend('public', true)
    : applyDecorators(extend('public', true), extend('rateLimit', options.rateLimit));

/** Staff with at least this role. */
export const Roles = (minRole: StaffRole): MethodDecorator & ClassDecorator =>
  applyDecorators(extend('minRole', minRole), ApiBearerAuth());

/** Partner API clients holding one of these scopes; they reach only their own partner's rows. */
export const Scopes = (...scopes: PartnerScope[]): MethodDecorator & ClassDecorator =>
  applyDecorators(extend('scopes', scopes), ApiBearerAuth());
