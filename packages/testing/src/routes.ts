import { type INestApplication, RequestMethod } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { AUTH_POLICY, type AuthPolicy } from '@sp/platform';

export type RouteInfo = {
  method: string;
  path: string;
  handler: string;
  policy: AuthPolicy | undefined;
};

const PATH_METADATA = 'path';
const METHOD_METADATA = 'method';

const join = (...parts: string[]) =>
  `/${parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .join('/')}`;

/**
 * Every route the app's controllers register, with its access policy (method over class).
 * For the tests that walk all routes: none may lack a policy.
 */
export function listRoutes(app: INestApplication): RouteInfo[] {
  const routes: RouteInfo[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as (new (...args: unknown[]) => object) | undefined;
      if (!type) continue;
      const base = (Reflect.getMetadata(PATH_METADATA, type) as string | undefined) ?? '';
      const classPolicy = Reflect.getMetadata(AUTH_POLICY, type) as AuthPolicy | undefined;
      for (const name of Object.getOwnPropertyNames(type.prototype)) {
        const handler = (type.prototype as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (path === undefined || method === undefined) continue;
        const policy =
          (Reflect.getMetadata(AUTH_POLICY, handler) as AuthPolicy | undefined) ?? classPolicy;
        for (const p of Array.isArray(path) ? path : [path]) {
          routes.push({
            method: RequestMethod[method],
            path: join(base, p),
            handler: `${type.name}.${name}`,
            policy,
          });
        }
      }
    }
  }
  return routes;
}
