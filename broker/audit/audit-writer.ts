import { randomUUID } from 'node:crypto';
import { canonicalJson } from '../../lib/crypto/digest.ts';
import { HubError } from '../../lib/errors/hub-error.ts';
import type { BatchingProducer } from '../../lib/kafka/batching-producer.ts';
import type { AuditEntry } from './audit-entry.types.ts';

export type AuditFields = Omit<AuditEntry, 'v' | 'id' | 'at' | 'nodeId'>;

/**
 * Appends entries to the audit topic through the node's one idempotent,
 * acks=all producer, so entries keep the order they were written in. The
 * returned promise resolves once the entry is durable; callers that must not
 * act without their entry await it.
 */
export class AuditWriter {
  constructor(
    private readonly producer: BatchingProducer,
    private readonly topic: string,
    private readonly nodeId: string,
  ) {}

  append(fields: AuditFields): Promise<void> {
    const entry: AuditEntry = { v: 1, id: randomUUID(), at: Date.now(), nodeId: this.nodeId, ...fields };
    return this.producer.send(this.topic, { value: canonicalJson(entry) }).catch((cause: unknown) => {
      throw new HubError('ERR_AUDIT_UNAVAILABLE', 'the audit entry could not be made durable', { cause });
    });
  }
}
