// kafkajs behind the bench interface, set up as the hub sets it up (lib/kafka).
import { createRequire } from 'node:module';
import { createKafka } from '../../lib/kafka/client.ts';
import type { KafkaConnection } from '../../lib/kafka/connection.ts';
import { LONG_POLL_MS } from '../../lib/kafka/long-poll.ts';
import { connectProducer } from '../../lib/kafka/producer.ts';
import { ensureTopics } from '../../lib/kafka/topics.ts';
import { createLogger } from '../../lib/log.ts';
import {
  CommitPolicy,
  Closers,
  fromKafkajsBatch,
  kafkajsCommit,
  kafkajsTopic,
  probeAdmin,
  type BenchClient,
} from './messaging.ts';

export function kafkajsClient(connection: KafkaConnection, clientId: string): BenchClient {
  const kafka = createKafka(connection, clientId, createLogger(clientId, 'error'));
  const version = (createRequire(import.meta.url)('kafkajs/package.json') as { version: string }).version;
  const closers = new Closers();
  return {
    name: 'kafkajs',
    version: `kafkajs ${version}`,
    async createTopics(specs) {
      const admin = kafka.admin();
      await admin.connect();
      try {
        await ensureTopics(admin, specs.map(kafkajsTopic));
      } finally {
        await admin.disconnect();
      }
    },
    // The hub's producer: idempotent, acks=all, one request in flight, callers
    // coalesced into one batch per round trip (BatchingProducer, kafkajs#1005).
    async producer() {
      const { producer, disconnect } = await connectProducer(kafka);
      closers.add(disconnect);
      return {
        send: async (topic, messages) => {
          await Promise.all(
            messages.map((m) => producer.send(topic, { key: m.key, value: m.value, headers: { id: m.id } })),
          );
        },
        close: disconnect,
      };
    },
    async consume({ topic, groupId, partitions, onBatch, commit }) {
      const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: LONG_POLL_MS });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const ready = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
      const policy = new CommitPolicy(commit, kafkajsCommit(topic, consumer));
      await consumer.run({
        partitionsConsumedConcurrently: partitions,
        autoCommit: false,
        eachBatch: async (payload) => {
          const { batch } = payload;
          const received = fromKafkajsBatch(batch);
          if (received.length === 0) return;
          await onBatch(received);
          await policy.processed(received);
          await payload.heartbeat();
        },
      });
      return { ready, stop: closers.consumerStop(policy, () => consumer.disconnect()) };
    },
    probe: (timeoutMs) => probeAdmin(kafka.admin(), timeoutMs, 'kafkajs probe'),
    close: () => closers.closeAll(),
  };
}
