import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { HubError } from '../errors/hub-error.ts';

/**
 * HMAC-SHA-256 pseudonyms of citizen ids under an operator key, so consent and
 * audit records can be matched to a person without holding the id itself. A
 * plain hash would not do: there are few enough ids to try them all.
 */
export class Pseudonymiser {
  private readonly key: Buffer;

  private constructor(key: Buffer) {
    this.key = key;
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
}
