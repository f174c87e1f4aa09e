import { createHmac, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { HubError } from '../errors/hub-error.ts';

/**
 * HMAC-SHA-256 pseudonyms of citizen ids under an operator key, so consent and
 * audit records can be matched to a person without holding the id itself. A
 * plain hash would not do: there are few enough ids to try them all.
 */
export class Pseudonymiser {
  /** Key objects, made once: node:crypto turns a Buffer key into one on every call, which costs several times the HMAC. */
  private readonly key: KeyObject;
  /** Sub-keys by domain, derived once: HKDF on every call cost more than the HMAC it keys. */
  private readonly subKeys = new Map<string, KeyObject>();

  private constructor(key: Buffer) {
    this.key = createSecretKey(key);
  }

  static async fromFile(path: string): Promise<Pseudonymiser> {
    let text: string;
    try {
      text = (await readFile(path, 'utf8')).trim();
    } catch (cause) {
      throw new HubError('ERR_CONFIG_INVALID', `cannot read pseudonym key file ${path}`, { cause });
    }
    const key = Buffer.from(text, 'base64');
    if (key.length < 32) throw new HubError('ERR_CONFIG_INVALID', `pseudonym key in ${path} must be at least 32 bytes, base64`);
    return new Pseudonymiser(key);
  }

  of(citizenId: string): string {
    return createHmac('sha256', this.key).update(citizenId).digest('base64url');
  }

  /**
   * A keyed digest of `value` for another use than citizen ids, separated by
   * `domain` (HKDF sub-key), so it can never collide with or reveal a pseudonym.
   */
  keyed(domain: string, value: string): string {
    let key = this.subKeys.get(domain);
    if (!key) this.subKeys.set(domain, (key = createSecretKey(this.subKey(domain))));
    return createHmac('sha256', key).update(value).digest('base64url');
  }

  /** A 32-byte key for `domain`, bound to `context` (HKDF-SHA-256, RFC 5869). */
  subKey(domain: string, context = ''): Buffer {
    return Buffer.from(hkdfSync('sha256', this.key, Buffer.alloc(0), `${domain}\u0000${context}`, 32));
  }
}
