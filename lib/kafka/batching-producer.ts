import type { Message, Producer, TopicMessages } from 'kafkajs';
import { HubError } from '../errors/hub-error.ts';

interface Pending {
  topic: string;
  message: Message;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Sends through one idempotent producer with exactly one produce request in
 * flight. kafkajs mis-assigns idempotent sequence numbers when several sends
 * overlap (kafkajs#598, #1005: messages silently lost), so overlapping callers
 * are queued and the queue goes out as one batch per round trip — which is also
 * what keeps throughput up. The queue is bounded: past it, callers get
 * ERR_OVERLOADED instead of unbounded memory growth.
 */
export class BatchingProducer {
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;

  private readonly producer: Producer;
  private readonly limits: { maxQueued: number; maxBatch: number; maxBatchBytes: number };

  constructor(producer: Producer, limits = { maxQueued: 20_000, maxBatch: 1_000, maxBatchBytes: 512 * 1024 }) {
    this.producer = producer;
    this.limits = limits;
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
      this.queue.push({ topic, message, resolve, reject });
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
        await this.producer.sendBatch({ topicMessages: groupByTopic(batch), acks: -1 });
        for (const p of batch) p.resolve();
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    this.flushing = undefined;
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
