import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { SIGNING_ALG, type SigningKey } from './crypto/keys.ts';

/**
 * The JWT an agency system sends with every call: signed by the agency's own
 * key, for one node (aud), short-lived, with a unique jti.
 */
export function signAgencyToken(agency: string, key: SigningKey, audience: string, lifetimeSec = 60): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: SIGNING_ALG, kid: key.kid, typ: 'JWT' })
    .setIssuer(agency)
    .setSubject(agency)
    .setAudience(audience)
    .setIssuedAt(now)
    .setExpirationTime(now + lifetimeSec)
    .setJti(randomUUID())
    .sign(key.key);
}
