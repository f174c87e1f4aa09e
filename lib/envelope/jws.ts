import type { CryptoKey } from 'jose';
import { signatureValid, signCompact, splitCompact } from '../crypto/compact-jws.ts';
import { SIGNING_ALG, type SigningKey } from '../crypto/keys.ts';

/** Signs a JSON payload as a compact JWS (EdDSA) with `kid` and `typ` in the protected header. */
export async function signJson(payload: unknown, signer: SigningKey, typ: string): Promise<string> {
  return signCompact(JSON.stringify(payload), { alg: SIGNING_ALG, kid: signer.kid, typ }, signer.key);
}

export type JwsCheck =
  | { ok: true; payload: unknown; kid: string }
  | { ok: false; reason: 'malformed' | 'unknown-key' | 'bad-signature' | 'wrong-type'; detail: string };

/**
 * Verifies a compact JWS whose key is found by `kid`. The header is read before
 * verification only to pick the key; nothing in the payload is read until the
 * signature over header and payload verifies.
 */
export async function verifyJson(
  jws: string,
  expectedTyp: string,
  findKey: (kid: string) => CryptoKey | undefined,
): Promise<JwsCheck> {
  const parts = splitCompact(jws);
  if (!parts.ok) return { ok: false, reason: 'malformed', detail: parts.detail };
  const { header } = parts;
  if (header.alg !== SIGNING_ALG) return { ok: false, reason: 'malformed', detail: `alg must be ${SIGNING_ALG}` };
  if (header.typ !== expectedTyp) return { ok: false, reason: 'wrong-type', detail: `typ must be ${expectedTyp}` };
  if (typeof header.kid !== 'string') return { ok: false, reason: 'malformed', detail: 'protected header has no kid' };
  const { kid } = header;
  const key = findKey(kid);
  if (!key) return { ok: false, reason: 'unknown-key', detail: `no key with kid "${kid.slice(0, 64)}"` };
  if (!signatureValid(parts, key)) return { ok: false, reason: 'bad-signature', detail: 'signature does not verify' };
  try {
    return { ok: true, payload: JSON.parse(parts.payload.toString('utf8')), kid };
  } catch {
    return { ok: false, reason: 'malformed', detail: 'payload is not JSON' };
  }
}
