import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { HubError } from '../../lib/errors/hub-error.ts';
import type { Pseudonymiser } from '../../lib/crypto/pseudonym.ts';

const DOMAIN = 'xhub/outcome-seal/v1';

/**
 * Seals an exchange's answer for the claims topic, where retries on any node
 * find it: AES-256-GCM under a key derived (HKDF) from the deployment's
 * pseudonym key and the consumer's own client request id. The topic carries
 * only a keyed digest of that id, so a reader of the topic (or of a backup of
 * it) cannot open an answer without both the operator's key and the id the
 * consumer chose; the topic's retention deletes it after the hour.
 */
export class OutcomeSealer {
  private readonly keys: Pseudonymiser;

  constructor(keys: Pseudonymiser) {
    this.keys = keys;
  }

  seal(consumer: string, clientRequestId: string, plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key(consumer, clientRequestId), iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  open(consumer: string, clientRequestId: string, sealed: string): string {
    const bytes = Buffer.from(sealed, 'base64url');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key(consumer, clientRequestId), bytes.subarray(0, 12));
      decipher.setAuthTag(bytes.subarray(12, 28));
      return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw new HubError('ERR_INTERNAL', 'the stored outcome of this request cannot be opened; send the request with a new client_request_id', { cause });
    }
  }

  private key(consumer: string, clientRequestId: string): Buffer {
    return this.keys.subKey(DOMAIN, `${consumer}\u0000${clientRequestId}`);
  }
}
