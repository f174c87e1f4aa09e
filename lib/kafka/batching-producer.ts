import { HubError } from '../errors/hub-error.ts';

/** A record for Kafka: key and value as text or bytes (a null value is a tombstone), headers as text. */
export interface OutgoingMessage {
  key?: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Record<string, string>;
}

/** One batch as one produce request: resolves once the broker acknowledged every message (acks=all), rejects otherwise. */
export type SendBatch = (batch: readonly { topic: string; message: OutgoingMessage }[]) => Promise<void>;

interface Pending {
  topic: string;
  message: OutgoingMessage;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface BatchLimits {
  /** Messages waiting for their turn; past it, send() fails with ERR_OVERLOADED. */
  maxQueued: number;
  /** Messages in one request. */
  maxBatch: number;
  /** Bytes of keys and values in one request (the first message always goes, whatever its size). */
  maxBatchBytes: number;
}

// One request in flight at a time, so what one request may carry bounds throughput: 900 KB
// of values stays under Kafka's default 1 MiB (message.max.bytes) with the per-record
// overhead of a full batch.
const DEFAULT_LIMITS: BatchLimits = { maxQueued: 20_000, maxBatch: 2_000, maxBatchBytes: 900 * 1024 };

/**
 * Sends through one idempotent producer with exactly one produce request in
 * flight: overlapping callers are queued and the queue goes out as one batch
 * per round trip (`sendBatch`). kafkajs mis-assigns idempotent sequence numbers
 * when several sends overlap (kafkajs#598, #1005: messages silently lost), and
 * an idempotent @platformatic/kafka producer turns every send into a request of
 * its own, one in flight per connection: either way, coalescing is what keeps
 * throughput up. The queue is bounded: past it, callers get ERR_OVERLOADED
 * instead of unbounded memory growth.
 */
export class BatchingProducer {
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;

  private readonly sendBatch: SendBatch;
  private readonly limits: BatchLimits;

  constructor(sendBatch: SendBatch, limits: BatchLimits = DEFAULT_LIMITS) {
    this.sendBatch = sendBatch;
    this.limits = limits;
  }

  /** Messages waiting for their turn (the batch in flight not counted): for the queue-depth gauge. */
  get queued(): number {
    return this.queue.length;
  }

  send(topic: string, message: OutgoingMessage): Promise<void> {
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
        await this.sendBatch(batch);
        for (const p of batch) p.resolve();
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    this.flushing = undefined;
  }
}

function messageBytes(m: OutgoingMessage): number {
  const size = (v: OutgoingMessage['value'] | OutgoingMessage['key']) => (v === null || v === undefined ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length);
  return size(m.value) + size(m.key) + 64;
}
