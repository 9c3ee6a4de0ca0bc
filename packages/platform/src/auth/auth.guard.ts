import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../app-error';
import { AUTH_POLICY, type AuthPolicy } from './decorators';
import { type Principal, roleRank } from './principal';
import { requestContext } from './request-context';
import { invalidToken, TokenVerifier } from './token-verifier';

/** A route's policy: the method's declaration over its controller's. */
export function policyOf(reflector: Reflector, context: ExecutionContext): AuthPolicy | undefined {
  return reflector.getAllAndOverride<AuthPolicy | undefined>(AUTH_POLICY, [
    context.getHandler(),
    context.getClass(),
  ]);
}

const forbidden = (detail: string) => new AppError('forbidden', detail);

/** Who may do what, for every route of every service: see `@Public`, `@Roles`, `@Scopes`. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TokenVerifier) private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy = policyOf(this.reflector, context);
    // A route without a declaration is a bug (the route walk test catches it): deny, loudly.
    if (!policy) throw new AppError('internal-error', 'this route declares no access policy');

    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const principal = await this.authenticate(
      request.headers.authorization,
      policy.public === true,
    );
    requestContext.setPrincipal(principal);
    if (policy.public) return true;

    switch (principal.kind) {
      case 'anonymous':
        throw new AppError('unauthorized', 'this route needs a bearer token', {
          headers: { 'www-authenticate': 'Bearer realm="strategic-partnerships"' },
        });
      case 'staff':
        if (policy.minRole && roleRank(principal.role) >= roleRank(policy.minRole)) return true;
        throw forbidden(
          policy.minRole
            ? `this route needs the ${policy.minRole} role or above`
            : 'staff may not use this route',
        );
      case 'partner':
        if (policy.scopes?.some((scope) => principal.scopes.includes(scope))) return true;
        throw forbidden(
          policy.scopes
            ? `this route needs one of the scopes: ${policy.scopes.join(', ')}`
            : 'partner clients may not use this route',
        );
    }
  }

  private async authenticate(header: string | undefined, isPublic: boolean): Promise<Principal> {
    if (header === undefined) return { kind: 'anonymous' };
    // A public route may take other credentials of its own (the token endpoint's Basic).
    if (isPublic && !/^bearer\s/i.test(header)) return { kind: 'anonymous' };
    const match = /^Bearer ([A-Za-z0-9\-_.~+/]+=*)$/i.exec(header.trim());
    if (!match?.[1]) throw invalidToken('the Authorization header is not "Bearer <token>"');
    return this.verifier.verify(match[1]);
  }
}
