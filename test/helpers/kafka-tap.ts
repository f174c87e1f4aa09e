import { randomUUID } from 'node:crypto';
import type { Consumer, KafkaMessage } from 'kafkajs';
import { testKafka } from './test-kafka.ts';

/** Reads a topic from the beginning in the background so a test can wait for what arrives. */
export class KafkaTap {
  readonly messages: KafkaMessage[] = [];
  private consumer!: Consumer;

  /** Taps `topic` as `principal` (the admin by default, who may read anything). */
  static async open(principal: string, topic: string, onMessage?: (m: KafkaMessage) => Promise<void>): Promise<KafkaTap> {
    const tap = new KafkaTap();
    const kafka = testKafka(principal, 'test-tap');
    tap.consumer = kafka.consumer({ groupId: `tap-${randomUUID()}`, maxWaitTimeInMs: 100 });
    await tap.consumer.connect();
    await tap.consumer.subscribe({ topic, fromBeginning: true });
    const joined = new Promise<void>((resolve) => tap.consumer.on(tap.consumer.events.GROUP_JOIN, () => resolve()));
    await tap.consumer.run({
      eachMessage: async ({ message }) => {
        tap.messages.push(message);
        await onMessage?.(message);
      },
    });
    await joined;
    return tap;
  }

  async waitFor(predicate: (m: KafkaMessage) => boolean, timeoutMs = 15_000): Promise<KafkaMessage> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.messages.find(predicate);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no matching message within ${timeoutMs} ms (saw ${this.messages.length})`);
  }

  close(): Promise<void> {
    return this.consumer.disconnect();
  }
}

/** Writes one record as `principal` (the admin, or any principal the topic's ACLs let write). */
export async function produce(principal: string, topic: string, value: string, headers: Record<string, string> = {}): Promise<void> {
  const kafka = testKafka(principal, 'test-producer');
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({ topic, acks: -1, messages: [{ value, headers }] });
  await producer.disconnect();
}
