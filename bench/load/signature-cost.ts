import { compactVerify, importJWK } from 'jose';
import { generateAgencyKeyPair, importSigningKey } from '../../lib/crypto/keys.ts';
import { signJson } from '../../lib/envelope/jws.ts';

/**
 * CPU cost (µs, all threads of this process) of one Ed25519 JWS signature and
 * one verification through jose, on a payload the size of an envelope. An
 * exchange needs three verifications (the caller's token on the node, the
 * hub's envelope on the connector, the provider's reply on the node) and two
 * signatures (envelope, reply): the floor no optimisation of ours can remove.
 */
export async function signatureCost(
  n = 3_000,
): Promise<{ signMicros: number; verifyMicros: number; perExchangeMicros: number }> {
  const { privateJwk, publicJwk } = await generateAgencyKeyPair('bench');
  const signer = await importSigningKey(privateJwk, 'bench');
  const publicKey = await importJWK(publicJwk, 'EdDSA');
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
  for (let i = 0; i < n; i++) await compactVerify(jws, publicKey);
  const verifyMicros = (cpu() - t) / n;
  return {
    signMicros: Math.round(signMicros),
    verifyMicros: Math.round(verifyMicros),
    perExchangeMicros: Math.round(3 * verifyMicros + 2 * signMicros),
  };
}
