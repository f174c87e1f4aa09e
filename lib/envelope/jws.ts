import { CompactSign, compactVerify, decodeProtectedHeader, type CryptoKey } from 'jose';
import { SIGNING_ALG, type SigningKey } from '../crypto/keys.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Signs a JSON payload as a compact JWS (EdDSA) with `kid` and `typ` in the protected header. */
export async function signJson(payload: unknown, signer: SigningKey, typ: string): Promise<string> {
  return new CompactSign(encoder.encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: SIGNING_ALG, kid: signer.kid, typ })
    .sign(signer.key);
}

export type JwsCheck =
  | { ok: true; payload: unknown; kid: string }
  | { ok: false; reason: 'malformed' | 'unknown-key' | 'bad-signature' | 'wrong-type'; detail: string };

/**
 * Verifies a compact JWS whose key is found by `kid`. The header is read before
 * verification only to pick the key and is checked again after.
 */
export async function verifyJson(
  jws: string,
  expectedTyp: string,
  findKey: (kid: string) => CryptoKey | undefined,
): Promise<JwsCheck> {
  let kid: string;
  try {
    const header = decodeProtectedHeader(jws);
    if (header.alg !== SIGNING_ALG) return { ok: false, reason: 'malformed', detail: `alg must be ${SIGNING_ALG}` };
    if (header.typ !== expectedTyp) return { ok: false, reason: 'wrong-type', detail: `typ must be ${expectedTyp}` };
    if (typeof header.kid !== 'string') return { ok: false, reason: 'malformed', detail: 'protected header has no kid' };
    kid = header.kid;
  } catch {
    return { ok: false, reason: 'malformed', detail: 'not a compact JWS' };
  }
  const key = findKey(kid);
  if (!key) return { ok: false, reason: 'unknown-key', detail: `no key with kid "${kid}"` };
  let bytes: Uint8Array;
  try {
    bytes = (await compactVerify(jws, key, { algorithms: [SIGNING_ALG] })).payload;
  } catch {
    return { ok: false, reason: 'bad-signature', detail: 'signature does not verify' };
  }
  try {
    return { ok: true, payload: JSON.parse(decoder.decode(bytes)), kid };
  } catch {
    return { ok: false, reason: 'malformed', detail: 'payload is not JSON' };
  }
}
