#!/usr/bin/env node
// DEMO IDENTITY PROVIDER: FOR `docker compose up` ONLY, NEVER FOR PRODUCTION.
//
// Stands in for the university's identity provider so the compose stack can run the apps
// exactly as production does (NODE_ENV=production, staff tokens from an external issuer,
// verified through its JWKS). It hands a signed staff token with any role to ANYONE who asks:
// whoever reaches its port is an admin. The key lives in memory; a restart makes a new one,
// and tokens signed by the old key stop working.
//
//   GET /.well-known/jwks.json                    the public key (what the apps verify with)
//   GET /token?role=admin&sub=alice&ttl=3600      a staff token (text/plain)
//   GET /health/live, /health/ready               for the image's HEALTHCHECK
//
// Settings: PORT (3009), HOST (0.0.0.0), DEMO_IDP_ISSUER (urn:sp:demo-idp), AUTH_AUDIENCE
// (strategic-partnerships). Runs on the image's Node with its production dependencies (jose).
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';

const ROLES = ['viewer', 'staff', 'admin'];
// The apps refuse staff tokens older than AUTH_MAX_TOKEN_AGE_SECONDS (1 h by default).
const MAX_TTL_SECONDS = 3600;

/** Starts the demo identity provider; resolves once it listens. */
export async function startDemoIdp({
  port = 3009,
  host = '0.0.0.0',
  issuer = 'urn:sp:demo-idp',
  audience = 'strategic-partnerships',
} = {}) {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const publicJwk = { ...(await exportJWK(publicKey)), alg: 'ES256', use: 'sig' };
  const kid = await calculateJwkThumbprint(publicJwk);
  const jwks = JSON.stringify({ keys: [{ ...publicJwk, kid }] });

  const send = (res, status, type, body) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  };
  const problem = (res, status, detail) =>
    send(
      res,
      status,
      'application/problem+json',
      JSON.stringify({ type: '/problems/bad-request', title: 'Bad Request', status, detail }),
    );

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://demo-idp');
    if (req.method !== 'GET' && req.method !== 'HEAD') return problem(res, 405, 'GET only');
    if (url.pathname === '/.well-known/jwks.json') return send(res, 200, 'application/json', jwks);
    if (url.pathname === '/health/live' || url.pathname === '/health/ready')
      return send(res, 200, 'application/json', '{"status":"up"}');
    if (url.pathname === '/token') {
      const role = url.searchParams.get('role') ?? 'viewer';
      const sub = url.searchParams.get('sub') ?? `demo-${role}`;
      const ttl = Number(url.searchParams.get('ttl') ?? 3600);
      if (!ROLES.includes(role))
        return problem(res, 400, `role must be one of ${ROLES.join(', ')}`);
      if (!/^[\w.@-]{1,64}$/.test(sub)) return problem(res, 400, 'sub: 1-64 of [A-Za-z0-9_.@-]');
      if (!Number.isInteger(ttl) || ttl < 60 || ttl > MAX_TTL_SECONDS)
        return problem(res, 400, `ttl: whole seconds from 60 to ${MAX_TTL_SECONDS}`);
      new SignJWT({ roles: [role] })
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(sub)
        .setIssuedAt()
        .setExpirationTime(`${ttl}s`)
        .sign(privateKey)
        .then(
          (token) => send(res, 200, 'text/plain; charset=utf-8', `${token}\n`),
          () => problem(res, 500, 'signing failed'),
        );
      return undefined;
    }
    return send(
      res,
      url.pathname === '/' ? 200 : 404,
      'text/plain; charset=utf-8',
      'DEMO identity provider (never use in production).\n' +
        'GET /token?role=viewer|staff|admin&sub=NAME&ttl=SECONDS  a staff token\n' +
        'GET /.well-known/jwks.json                               its public key\n',
    );
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return { server, issuer, kid, port: server.address().port };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { issuer, port } = await startDemoIdp({
    port: Number(process.env.PORT || 3009),
    host: process.env.HOST || undefined,
    issuer: process.env.DEMO_IDP_ISSUER || undefined,
    audience: process.env.AUTH_AUDIENCE || undefined,
  });
  console.log(
    JSON.stringify({
      level: 'warn',
      service: 'demo-idp',
      msg: `DEMO identity provider on port ${port} (issuer ${issuer}): it gives any role to anyone; never use it in production`,
    }),
  );
  const stop = () => process.exit(0);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
