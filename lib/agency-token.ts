import { randomUUID } from 'node:crypto';
import { signCompact } from './crypto/compact-jws.ts';
import { sha256b64url } from './crypto/digest.ts';
import { SIGNING_ALG, type SigningKey } from './crypto/keys.ts';

/** The `req_sha256` claim: base64url (no padding) of SHA-256 over the request message's protobuf bytes. */
export function requestDigest(requestBytes: Uint8Array): string {
  return sha256b64url(requestBytes);
}

/**
 * The JWT an agency system sends with every call: signed by the agency's own
 * key, for one node (aud), short-lived, with a unique jti, and bound to the
 * one request it authorises by `req_sha256` (see `requestDigest`), so a
 * captured token cannot carry another request.
 */
export async function signAgencyToken(agency: string, key: SigningKey, audience: string, requestSha256: string, lifetimeSec = 60): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  // The claims in the order jose's SignJWT writes them, so tokens stay byte-for-byte what they were.
  const claims = { req_sha256: requestSha256, iss: agency, sub: agency, aud: audience, iat: now, exp: now + lifetimeSec, jti: randomUUID() };
  return signCompact(JSON.stringify(claims), { alg: SIGNING_ALG, kid: key.kid, typ: 'JWT' }, key.key);
}
