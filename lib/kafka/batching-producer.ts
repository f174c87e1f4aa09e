import type { Message, Producer, RecordMetadata, TopicMessages } from 'kafkajs';
import { HubError } from '../errors/hub-error.ts';

interface Pending {
  topic: string;
  message: Message;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Which partition the producer's partitioner last chose for a message (see connectProducer). */
export type PartitionOf = (message: Message) => number | undefined;

/** Rounds of re-sending what kafkajs reported sent but never sent, before the batch fails. */
const MAX_RESENDS = 5;

/**
 * Sends through one idempotent producer with exactly one produce request in
 * flight. kafkajs mis-assigns idempotent sequence numbers when several sends
 * overlap (kafkajs#598, #1005: messages silently lost), so overlapping callers
 * are queued and the queue goes out as one batch per round trip — which is also
 * what keeps throughput up. The queue is bounded: past it, callers get
 * ERR_OVERLOADED instead of unbounded memory growth.
 *
 * A batch spans several partition leaders, and kafkajs loses part of it when
 * one leader dies (kafkajs#1303): its retry skips every broker that already
 * answered, so the dead leader's partitions, now led by one of those, are
 * never sent, yet sendBatch resolves. Every message's partition is therefore
 * checked against the acknowledgements, and what none covers is sent again.
 */
export class BatchingProducer {
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private resentCount = 0;

  private readonly producer: Producer;
  private readonly limits: { maxQueued: number; maxBatch: number; maxBatchBytes: number };
  private readonly partitionOf: PartitionOf | undefined;

  // One request in flight at a time (its resend logic relies on it), so what one request may
  // carry bounds throughput: 900 KB of values stays under Kafka's default 1 MiB
  // (message.max.bytes) with the per-record overhead of a full batch.
  constructor(producer: Producer, limits = { maxQueued: 20_000, maxBatch: 2_000, maxBatchBytes: 900 * 1024 }, partitionOf?: PartitionOf) {
    this.producer = producer;
    this.limits = limits;
    this.partitionOf = partitionOf;
  }

  /** Messages that kafkajs reported sent although no broker acknowledged them, and that were sent again. */
  get resent(): number {
    return this.resentCount;
  }

  /** Messages waiting for their turn (the batch in flight not counted): for the queue-depth gauge. */
  get queued(): number {
    return this.queue.length;
  }

  send(topic: string, message: Message): Promise<void> {
    if (this.queue.length >= this.limits.maxQueued) {
      return Promise.reject(new HubError('ERR_OVERLOADED', 'too many messages waiting to be produced; try again shortly'));
    }
    return new Promise<void>((resolve, reject) => {
      // A message object of its own: the partition the partitioner chose is looked up by identity.
      this.queue.push({ topic, message: { ...message }, resolve, reject });
      this.flushing ??= this.drain();
    });
  }

  /** Resolves once everything queued so far has been acknowledged or failed. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /** How many queued messages fit one request: at most maxBatch, and under maxBatchBytes (Kafka refuses batches over its message size limit). */
  private batchLength(): number {
    let bytes = 0;
    let n = 0;
    while (n < this.queue.length && n < this.limits.maxBatch) {
      bytes += messageBytes(this.queue[n]!.message);
      if (n > 0 && bytes > this.limits.maxBatchBytes) break;
      n++;
    }
    return n;
  }

  private async drain(): Promise<void> {
    // `flushing` is cleared in the same tick the loop sees an empty queue, so a
    // send() made by a caller resumed from the last batch always starts a new drain.
    await Promise.resolve();
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.batchLength());
      try {
        await this.sendAll(batch);
        for (const p of batch) p.resolve();
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    this.flushing = undefined;
  }

  /**
   * Sends the batch, then again whatever no acknowledgement covers (kafkajs#1303).
   * A partition is sent whole or not at all, and kafkajs rolls its sequence
   * numbers back when a send fails, so the second send carries the same
   * sequence numbers: if the dead leader had in fact appended them, the new
   * leader answers "duplicate" instead of writing them twice.
   */
  private async sendAll(batch: Pending[]): Promise<void> {
    let unsent = batch;
    for (let round = 0; ; round++) {
      const acknowledged = await this.producer.sendBatch({ topicMessages: groupByTopic(unsent), acks: -1 });
      unsent = this.uncovered(unsent, acknowledged);
      if (unsent.length === 0) return;
      if (round >= MAX_RESENDS) {
        throw new HubError('ERR_KAFKA_UNAVAILABLE', `${unsent.length} messages were never acknowledged by Kafka after ${MAX_RESENDS} attempts (partition leaders changing)`);
      }
      this.resentCount += unsent.length;
    }
  }

  /** The messages whose topic and partition no acknowledgement names. */
  private uncovered(batch: Pending[], acknowledged: RecordMetadata[] | undefined): Pending[] {
    const partitionOf = this.partitionOf;
    if (!partitionOf || !acknowledged) return [];
    const covered = new Set(acknowledged.filter((r) => r.errorCode === 0).map((r) => `${r.partition}\u0000${r.topicName}`));
    return batch.filter((p) => {
      const partition = partitionOf(p.message);
      return partition !== undefined && !covered.has(`${partition}\u0000${p.topic}`);
    });
  }
}

function messageBytes(m: Message): number {
  const size = (v: Message['value'] | Message['key']) => (v === null || v === undefined ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length);
  return size(m.value) + size(m.key) + 64;
}

function groupByTopic(batch: Pending[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const { topic, message } of batch) {
    const list = byTopic.get(topic);
    if (list) list.push(message);
    else byTopic.set(topic, [message]);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
