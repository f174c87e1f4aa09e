import { KeyObject } from 'node:crypto';
import { importJWK, type CryptoKey, type JWK } from 'jose';
import { SIGNING_ALG, type PublicJwks } from './keys.ts';

/**
 * Public keys of every party, by owner id and key id. Keys are imported once at
 * load, so the hot path is a map lookup, never a JWK parse.
 */
export class KeyRing {
  private readonly byOwner = new Map<string, Map<string, CryptoKey>>();
  private readonly keyObjects = new Map<CryptoKey, KeyObject>();

  static async fromJwks(entries: Iterable<[owner: string, jwks: PublicJwks]>): Promise<KeyRing> {
    const ring = new KeyRing();
    for (const [owner, jwks] of entries) {
      const keys = new Map<string, CryptoKey>();
      for (const jwk of jwks.keys) {
        keys.set(String(jwk.kid), await importPublic(jwk));
      }
      ring.byOwner.set(owner, keys);
    }
    return ring;
  }

  hasOwner(owner: string): boolean {
    return this.byOwner.has(owner);
  }

  /** The key, or undefined when the owner or key id is unknown. */
  find(owner: string, kid: string): CryptoKey | undefined {
    return this.byOwner.get(owner)?.get(kid);
  }

  /** The same key as a node:crypto KeyObject (made once), for raw Ed25519 verification. */
  findKeyObject(owner: string, kid: string): KeyObject | undefined {
    const key = this.find(owner, kid);
    if (!key) return undefined;
    let object = this.keyObjects.get(key);
    if (!object) this.keyObjects.set(key, (object = KeyObject.from(key)));
    return object;
  }
}

async function importPublic(jwk: JWK): Promise<CryptoKey> {
  const { d: _private, ...publicPart } = jwk;
  const key = await importJWK(publicPart, SIGNING_ALG);
  if (key instanceof Uint8Array) throw new Error('symmetric key in a JWKS');
  return key;
}
