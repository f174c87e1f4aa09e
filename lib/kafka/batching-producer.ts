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

  constructor(
    private readonly producer: Producer,
    private readonly limits = { maxQueued: 20_000, maxBatch: 1_000 },
  ) {}

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

  private async drain(): Promise<void> {
    // `flushing` is cleared in the same tick the loop sees an empty queue, so a
    // send() made by a caller resumed from the last batch always starts a new drain.
    await Promise.resolve();
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.limits.maxBatch);
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

function groupByTopic(batch: Pending[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const { topic, message } of batch) {
    const list = byTopic.get(topic);
    if (list) list.push(message);
    else byTopic.set(topic, [message]);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
