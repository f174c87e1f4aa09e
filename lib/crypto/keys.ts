import { readFile } from 'node:fs/promises';
import { exportJWK, generateKeyPair, importJWK, type JWK, type CryptoKey } from 'jose';
import { HubError } from '../errors/hub-error.ts';

export const SIGNING_ALG = 'EdDSA';

export interface PublicJwks {
  keys: JWK[];
}

/** A private signing key with its key id, loaded once and reused. */
export interface SigningKey {
  kid: string;
  key: CryptoKey;
}

/** Generates an Ed25519 key pair as a private JWK and its public JWK, both with `kid`. */
export async function generateAgencyKeyPair(kid: string): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALG, { crv: 'Ed25519', extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALG, use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALG, use: 'sig' };
  return { privateJwk, publicJwk };
}

export async function importSigningKey(jwk: JWK, source: string): Promise<SigningKey> {
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.d !== 'string') {
    throw new HubError('ERR_CONFIG_INVALID', `${source}: not an Ed25519 private JWK (kty OKP, crv Ed25519, d)`);
  }
  if (typeof jwk.kid !== 'string' || jwk.kid === '') {
    throw new HubError('ERR_CONFIG_INVALID', `${source}: the private JWK has no "kid"`);
  }
  // Extractable: node:crypto signs with a KeyObject made from it (Node 24 deprecates KeyObject.from on non-extractable keys).
  const key = await importJWK(jwk, SIGNING_ALG, { extractable: true });
  if (key instanceof Uint8Array) throw new HubError('ERR_CONFIG_INVALID', `${source}: not an asymmetric key`);
  return { kid: jwk.kid, key };
}

export async function loadSigningKeyFile(path: string): Promise<SigningKey> {
  let jwk: JWK;
  try {
    jwk = JSON.parse(await readFile(path, 'utf8')) as JWK;
  } catch (cause) {
    throw new HubError('ERR_CONFIG_INVALID', `cannot read private key file ${path}`, { cause });
  }
  return importSigningKey(jwk, path);
}
