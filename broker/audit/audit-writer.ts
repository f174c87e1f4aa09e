import { randomUUID } from 'node:crypto';
import { RECORD_DOMAINS, RecordBatcher, type RecordSigner } from '../../lib/crypto/record-signature.ts';
import { HubError } from '../../lib/errors/hub-error.ts';
import type { BatchingProducer } from '../../lib/kafka/batching-producer.ts';
import type { AuditEntry } from './audit-entry.types.ts';

export type AuditFields = Omit<AuditEntry, 'v' | 'id' | 'at' | 'nodeId' | 'kid' | 'sig' | 'sigBatch'>;

/**
 * Appends entries, each signed by this node, to the audit topic through the
 * node's exchange producer (idempotent, acks=all, one request in flight), so
 * entries keep the order they were written in, and anything that producer is
 * given after `queued()` resolves goes out with them or after them. The
 * promise `append` returns resolves once the entry is durable; callers that
 * must not act without their entry await it.
 */
export class AuditWriter {
  private readonly producer: BatchingProducer;
  private readonly topic: string;
  private readonly batcher: RecordBatcher;
  /** Settles once the last entry appended so far has been handed to the producer. */
  private lastQueued: Promise<void> = Promise.resolve();

  constructor(producer: BatchingProducer, topic: string, signer: RecordSigner) {
    this.producer = producer;
    this.topic = topic;
    // Entries written in one turn of the event loop share one signature (each with its inclusion proof).
    this.batcher = new RecordBatcher(signer, RECORD_DOMAINS.auditEntry);
  }

  /** `at` is now unless the caller fixed it first, to derive another field from it (a disclosure date). */
  append(fields: AuditFields, at: number = Date.now()): Promise<void> {
    // Signed in the order written and sent in that order: the batcher resolves in order.
    const signed = this.batcher.sign({ v: 1, id: randomUUID(), at, ...fields });
    const durable = signed.then((value) => this.producer.send(this.topic, { value }));
    // Registered after the send above: it runs once the entry is in the producer's queue.
    this.lastQueued = signed.then(() => {});
    return durable.catch((cause: unknown) => {
      throw new HubError('ERR_AUDIT_UNAVAILABLE', 'the audit entry could not be made durable', { cause });
    });
  }

  /**
   * Resolves once every entry appended so far is in the producer's queue (the
   * signatures are made a turn later, batched): a request to a provider sent
   * after it goes out in the same produce request as its exchange's decision
   * entry or a later one, never in an earlier one (PDPA s.39: the decision is
   * on the record before any personal data moves). Waits a turn, not a round trip.
   */
  queued(): Promise<void> {
    return this.lastQueued;
  }
}
