// @platformatic/kafka behind the bench interface.
import { readFileSync } from 'node:fs';
import {
  Admin,
  Consumer,
  Producer,
  stringDeserializer,
  stringSerializer,
  type Message,
} from '@platformatic/kafka';
import type { KafkaConnection } from '../../lib/kafka/connection.ts';
import { platformaticOptions } from './platformatic-options.ts';
import { LONG_POLL_MS } from '../../lib/kafka/long-poll.ts';
import {
  asError,
  Closers,
  configEntries,
  CommitPolicy,
  withTimeout,
  type BenchClient,
  type InMessage,
  type OutMessage,
} from './messaging.ts';

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
      const producer = new Producer({
        ...base,
        idempotent: true,
        acks: -1,
        autocreateTopics: false,
        serializers: { key: stringSerializer, headerKey: stringSerializer, headerValue: stringSerializer },
      });
      // Idempotence gives each connection one request in flight, and every send() is
      // a request of its own: callers are coalesced into one send per round trip,
      // as the hub's BatchingProducer does for kafkajs.
      const queue: { topic: string; message: OutMessage; done: (error?: unknown) => void }[] = [];
      let draining: Promise<void> | undefined;
      const drain = async () => {
        await Promise.resolve();
        while (queue.length > 0) {
          const batch = queue.splice(0, 1_000);
          try {
            await producer.send({
              messages: batch.map(({ topic, message: m }) => ({
                topic,
                key: m.key,
                value: m.value,
                headers: { id: m.id },
              })),
            });
            for (const p of batch) p.done();
          } catch (error) {
            for (const p of batch) p.done(error ?? new Error('send failed'));
          }
        }
        draining = undefined;
      };
      const close = async () => {
        while (draining) await draining;
        await producer.close();
      };
      closers.add(close);
      return {
        send: (topic, messages) =>
          Promise.all(
            messages.map(
              (message) =>
                new Promise<void>((resolve, reject) => {
                  queue.push({
                    topic,
                    message,
                    done: (error) => (error === undefined ? resolve() : reject(asError(error))),
                  });
                  draining ??= drain();
                }),
            ),
          ).then(() => {}),
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
