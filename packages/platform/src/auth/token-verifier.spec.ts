import { createLocalJWKSet, exportJWK, generateKeyPair, type JWTVerifyGetKey, SignJWT } from 'jose';
import { AppError } from '../app-error';
import { baseConfigSchema } from '../config';
import { TokenVerifier } from './token-verifier';

const config = baseConfigSchema.parse({ PORT: '0', NODE_ENV: 'test' });

async function partnerKeys() {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwks = createLocalJWKSet({
    keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }],
  });
  let lookups = 0;
  const getKey: JWTVerifyGetKey = (header, token) => {
    lookups++;
    return jwks(header, token);
  };
  const sign = (expiresIn: string, scope = 'registry:read') =>
    new SignJWT({ partner_id: '0a000000-0000-4000-8000-00000000000a', client_id: 'c1', scope })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(config.AUTH_PARTNER_ISSUER)
      .setAudience(config.AUTH_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(privateKey);
  return { source: { getKey }, lookups: () => lookups, sign };
}

describe('TokenVerifier', () => {
  it('checks a token once, then answers it from memory', async () => {
    const keys = await partnerKeys();
    const verifier = new TokenVerifier(config, keys.source);
    const token = await keys.sign('10m');
    const first = await verifier.verify(token);
    expect(first).toEqual({
      kind: 'partner',
      clientId: 'c1',
      partnerId: '0a000000-0000-4000-8000-00000000000a',
      scopes: ['registry:read'],
    });
    expect(await verifier.verify(token)).toEqual(first);
    expect(keys.lookups()).toBe(1);
  });

  it('never remembers a token that failed, nor past its expiry', async () => {
    const keys = await partnerKeys();
    const verifier = new TokenVerifier(config, keys.source);
    const expired = await keys.sign('-1m');
    await expect(verifier.verify(expired)).rejects.toThrow(AppError);
    await expect(verifier.verify(expired)).rejects.toThrow(/expired/);
    expect(keys.lookups()).toBe(2);
  });

  it('drops scopes it does not know', async () => {
    const keys = await partnerKeys();
    const verifier = new TokenVerifier(config, keys.source);
    const principal = await verifier.verify(
      await keys.sign('10m', 'registry:read admin:everything'),
    );
    expect(principal).toMatchObject({ scopes: ['registry:read'] });
  });
});
