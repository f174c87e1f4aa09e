import { importJWK } from 'jose';
import { generateAgencyKeyPair, importSigningKey } from '../../lib/crypto/keys.ts';
import { signJson, verifyJson } from '../../lib/envelope/jws.ts';

/** Signatures an exchange that delivers a record cannot do without. */
export const SIGNS_PER_EXCHANGE = 3; // the hub's request envelope, the provider's receipt and its reply
export const VERIFIES_PER_EXCHANGE = 4; // the caller's token, the envelope (connector), the reply and the receipt (node)

/**
 * CPU cost (µs, all threads of this process) of one Ed25519 JWS signature and
 * one verification through the hub's own code (lib/envelope/jws.ts over
 * node:crypto, what the node and connectors run), on a payload the size of an
 * envelope. An exchange that delivers needs SIGNS_PER_EXCHANGE signatures and
 * VERIFIES_PER_EXCHANGE verifications: the floor no optimisation of ours can
 * remove. The node's signatures on its audit entries, and their checks by the
 * audit node, are the hub's design, not in the floor.
 */
export async function signatureCost(
  n = 3_000,
): Promise<{ signMicros: number; verifyMicros: number; perExchangeMicros: number; signs: number; verifies: number }> {
  const { privateJwk, publicJwk } = await generateAgencyKeyPair('bench');
  const signer = await importSigningKey(privateJwk, 'bench');
  const publicKey = await importJWK(publicJwk, 'EdDSA'); // as lib/crypto/key-ring.ts imports the keys it verifies with
  if (publicKey instanceof Uint8Array) throw new Error('signature cost: not an asymmetric key');
  const payload = { exchangeId: crypto.randomUUID(), filler: 'x'.repeat(700) };
  const cpu = () => {
    const u = process.cpuUsage();
    return u.user + u.system;
  };
  let jws = await signJson(payload, signer, 'bench');
  let t = cpu();
  for (let i = 0; i < n; i++) jws = await signJson(payload, signer, 'bench');
  const signMicros = (cpu() - t) / n;
  t = cpu();
  for (let i = 0; i < n; i++) {
    if (!(await verifyJson(jws, 'bench', () => publicKey)).ok) throw new Error('signature cost: verification failed');
  }
  const verifyMicros = (cpu() - t) / n;
  return {
    signMicros: Math.round(signMicros),
    verifyMicros: Math.round(verifyMicros),
    perExchangeMicros: Math.round(VERIFIES_PER_EXCHANGE * verifyMicros + SIGNS_PER_EXCHANGE * signMicros),
    signs: SIGNS_PER_EXCHANGE,
    verifies: VERIFIES_PER_EXCHANGE,
  };
}
