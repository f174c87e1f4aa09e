// @platformatic/kafka behind the bench interface.
import { readFileSync } from 'node:fs';
import {
  Admin,
  compatibilityPartitioner,
  Consumer,
  Producer,
  stringDeserializer,
  type Message,
} from '@platformatic/kafka';
import { BatchingProducer } from '../../lib/kafka/batching-producer.ts';
import type { KafkaConnection } from '../../lib/kafka/connection.ts';
import { platformaticOptions } from './platformatic-options.ts';
import { LONG_POLL_MS } from '../../lib/kafka/long-poll.ts';
import {
  Closers,
  configEntries,
  CommitPolicy,
  withTimeout,
  type BenchClient,
  type InMessage,
} from './messaging.ts';

/**
 * @platformatic/kafka's producer as the hub would use it: idempotent, acks=all,
 * keys partitioned as the Java client and kafkajs do, retried until acknowledged,
 * behind the hub's BatchingProducer (every send() of an idempotent producer is
 * a request of its own, one in flight per connection, so callers are coalesced).
 */
export async function platformaticBatchingProducer(connection: KafkaConnection, clientId: string): Promise<{ producer: BatchingProducer; close: () => Promise<void> }> {
  const raw = new Producer({ ...platformaticOptions(connection, clientId), idempotent: true, acks: -1, autocreateTopics: false, partitioner: compatibilityPartitioner, retries: true, retryDelay: 250 });
  await raw.initIdempotentProducer({});
  const bytes = (v: string | Buffer | null | undefined) => (typeof v === 'string' ? Buffer.from(v) : (v ?? Buffer.alloc(0)));
  const producer = new BatchingProducer(async (batch) => {
    await raw.send({
      messages: batch.map(({ topic, message: m }) => ({
        topic,
        key: bytes(m.key),
        value: bytes(m.value),
        ...(m.headers ? { headers: new Map(Object.entries(m.headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])) } : {}),
      })),
    });
  });
  return {
    producer,
    close: async () => {
      await producer.flush();
      await raw.close();
    },
  };
}

export function platformaticClient(connection: KafkaConnection, clientId: string): BenchClient {
  // TLS with the CA, SASL/SCRAM-SHA-512, as the hub's kafkajs clients connect.
  const base = platformaticOptions(connection, clientId);
  // Its exports map hides package.json: read it beside the entry point (dist/index.js).
  const version = (
    JSON.parse(
      readFileSync(new URL('../package.json', import.meta.resolve('@platformatic/kafka')), 'utf8'),
    ) as { version: string }
  ).version;
  const closers = new Closers();
  return {
    name: 'platformatic',
    version: `@platformatic/kafka ${version}`,
    async createTopics(specs) {
      const admin = new Admin(base);
      try {
        const existing = new Set(await admin.listTopics());
        // Configs apply to every topic of one call: one call per topic.
        for (const s of specs.filter((t) => !existing.has(t.topic))) {
          await admin.createTopics({
            topics: [s.topic],
            partitions: s.partitions,
            replicas: 1,
            configs: configEntries(s),
          });
        }
      } finally {
        await admin.close();
      }
    },
    async producer() {
      const { producer, close } = await platformaticBatchingProducer(connection, clientId);
      closers.add(close);
      return {
        send: async (topic, messages) => {
          await Promise.all(messages.map((m) => producer.send(topic, { key: m.key, value: m.value, headers: { id: m.id } })));
        },
        close,
      };
    },
    async consume({ topic, groupId, onBatch, commit }) {
      const consumer = new Consumer({
        ...base,
        groupId,
        maxWaitTime: LONG_POLL_MS,
        autocommit: false,
        deserializers: {
          key: stringDeserializer,
          headerKey: stringDeserializer,
          headerValue: stringDeserializer,
        },
      });
      const ready = new Promise<void>((resolve) => consumer.once('consumer:group:join', () => resolve()));
      // The commit of a partition goes through its last processed message (it carries the leader epoch).
      const lastOf = new Map<
        number,
        Message<string | undefined, Buffer, string | undefined, string | undefined>
      >();
      const policy = new CommitPolicy(commit, async (offsets) => {
        await Promise.all(
          [...offsets.keys()].map(async (partition) => {
            const m = lastOf.get(partition);
            if (m) await m.commit();
          }),
        );
      });
      // Explicit commits only: this client's autocommit marks offsets when a fetch arrives, before they are processed.
      const stream = await consumer.consume({
        topics: [topic],
        mode: 'committed',
        fallbackMode: 'earliest',
        autocommit: false,
      });
      // What arrived while the previous batch was handled is the next batch.
      let pending: Message<string | undefined, Buffer, string | undefined, string | undefined>[] = [];
      let running: Promise<void> | undefined;
      const run = async () => {
        await Promise.resolve();
        while (pending.length > 0) {
          const messages = pending;
          pending = [];
          const batch: InMessage[] = messages.map((m) => ({
            key: m.key ?? '',
            value: m.value,
            id: m.headers.get('id') ?? '',
            partition: m.partition,
            offset: String(m.offset),
          }));
          await onBatch(batch);
          for (const m of messages) lastOf.set(m.partition, m);
          await policy.processed(batch);
        }
        running = undefined;
      };
      stream.on('data', (m) => {
        pending.push(m);
        running ??= run().catch((error: unknown) =>
          console.error('platformatic consumer batch failed', error),
        );
      });
      stream.on('error', (error) => console.error('platformatic consumer stream error', error));
      const stop = async () => {
        while (running) await running;
        await policy.stop();
        await stream.close();
        await consumer.close();
      };
      closers.add(stop);
      return { ready, stop };
    },
    async probe(timeoutMs) {
      const admin = new Admin({ ...base, retries: 0 });
      try {
        await withTimeout(admin.listTopics(), timeoutMs, 'platformatic probe');
      } finally {
        await admin.close().catch(() => {});
      }
    },
    close: () => closers.closeAll(),
  };
}
