import { randomUUID } from 'node:crypto';
import { RECORD_DOMAINS, RecordBatcher, type RecordSigner } from '../../lib/crypto/record-signature.ts';
import { HubError } from '../../lib/errors/hub-error.ts';
import type { BatchingProducer } from '../../lib/kafka/batching-producer.ts';
import type { AuditEntry } from './audit-entry.types.ts';

export type AuditFields = Omit<AuditEntry, 'v' | 'id' | 'at' | 'nodeId' | 'kid' | 'sig' | 'sigBatch'>;

/**
 * Appends entries, each signed by this node, to the audit topic through the
 * node's one idempotent, acks=all producer, so entries keep the order they
 * were written in. The
 * returned promise resolves once the entry is durable; callers that must not
 * act without their entry await it.
 */
export class AuditWriter {
  private readonly producer: BatchingProducer;
  private readonly topic: string;
  private readonly batcher: RecordBatcher;

  constructor(producer: BatchingProducer, topic: string, signer: RecordSigner) {
    this.producer = producer;
    this.topic = topic;
    // Entries written in one turn of the event loop share one signature (each with its inclusion proof).
    this.batcher = new RecordBatcher(signer, RECORD_DOMAINS.auditEntry);
  }

  /** `at` is now unless the caller fixed it first, to derive another field from it (a disclosure date). */
  append(fields: AuditFields, at: number = Date.now()): Promise<void> {
    // Signed in the order written and sent in that order: the batcher resolves in order.
    return this.batcher.sign({ v: 1, id: randomUUID(), at, ...fields }).then((value) => this.producer.send(this.topic, { value })).catch((cause: unknown) => {
      throw new HubError('ERR_AUDIT_UNAVAILABLE', 'the audit entry could not be made durable', { cause });
    });
  }
}
