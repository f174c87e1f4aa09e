// @confluentinc/kafka-javascript (librdkafka) behind the bench interface, through its KafkaJS-compatible API.
// It is not a dependency of the project: its install builds librdkafka from source (see the README),
// so it is loaded from a scratch folder when one has it.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { KafkaConnection } from '../../lib/kafka/connection.ts';
import { LONG_POLL_MS } from '../../lib/kafka/long-poll.ts';
import {
  CommitPolicy,
  Closers,
  fromKafkajsBatch,
  kafkajsCommit,
  kafkajsTopic,
  probeAdmin,
  type BenchClient,
} from './messaging.ts';

/** The part of the package's KafkaJS-compatible API the bench uses (the package is not installed in the project, so neither are its types). */
interface CkMessage {
  key: Buffer | null;
  value: Buffer | null;
  offset: string;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}
interface CkProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  send(record: {
    topic: string;
    messages: { key: string; value: Buffer; headers: Record<string, string> }[];
  }): Promise<unknown>;
}
interface CkConsumer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  subscribe(s: { topics: string[] }): Promise<void>;
  run(config: {
    partitionsConsumedConcurrently: number;
    eachBatchAutoResolve: boolean;
    eachBatch: (payload: {
      batch: { topic: string; partition: number; messages: CkMessage[] };
    }) => Promise<void>;
  }): Promise<void>;
  commitOffsets(offsets: { topic: string; partition: number; offset: string }[]): Promise<void>;
  assignment(): { topic: string; partition: number }[];
}
interface CkAdmin {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  listTopics(): Promise<string[]>;
  createTopics(options: {
    topics: {
      topic: string;
      numPartitions: number;
      replicationFactor: number;
      configEntries: { name: string; value: string }[];
    }[];
  }): Promise<boolean>;
}
interface CkKafka {
  producer(config: Record<string, unknown>): CkProducer;
  consumer(config: Record<string, unknown>): CkConsumer;
  admin(config?: Record<string, unknown>): CkAdmin;
}
interface CkModule {
  librdkafkaVersion: string;
  KafkaJS: { Kafka: new (config: Record<string, unknown>) => CkKafka };
}

/** librdkafka's linger before it sends a batch: 5 ms is its default; XHUB_CONFLUENT_LINGER_MS overrides it. */
const LINGER_MS = Number(process.env.XHUB_CONFLUENT_LINGER_MS ?? 5);

export function confluentClient(
  connection: KafkaConnection,
  clientId: string,
  dir: string,
): BenchClient | { missing: string } {
  const pkg = join(dir, 'node_modules', '@confluentinc', 'kafka-javascript', 'package.json');
  if (!existsSync(pkg))
    return {
      missing: `@confluentinc/kafka-javascript is not installed in ${dir} (XHUB_CONFLUENT_KAFKA_DIR); see the README's "Kafka client" section`,
    };
  const ck = createRequire(join(dir, 'package.json'))('@confluentinc/kafka-javascript') as CkModule;
  const version = (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
  const kafka = new ck.KafkaJS.Kafka({
    kafkaJS: {
      brokers: connection.brokers,
      clientId,
      ssl: Boolean(connection.ca),
      ...(connection.credentials
        ? {
            sasl: {
              mechanism: 'scram-sha-512',
              username: connection.credentials.username,
              password: connection.credentials.password,
            },
          }
        : {}),
      logLevel: 1, // errors only
      logger: quietLogger(),
    },
    // The CA to trust goes to librdkafka directly; it checks the host name (ssl.endpoint.identification.algorithm=https by default).
    ...(connection.ca ? { 'ssl.ca.pem': connection.ca } : {}),
  });
  const closers = new Closers();
  return {
    name: 'confluent',
    version: `@confluentinc/kafka-javascript ${version} (librdkafka ${ck.librdkafkaVersion})`,
    async createTopics(specs) {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const existing = new Set(await admin.listTopics());
        const missing = specs.filter((s) => !existing.has(s.topic));
        if (missing.length > 0) {
          await admin.createTopics({ topics: missing.map(kafkajsTopic) });
        }
      } finally {
        await admin.disconnect();
      }
    },
    // librdkafka batches concurrent sends itself (linger.ms) and keeps up to 5
    // requests in flight per broker with idempotence on: no coalescing here.
    async producer() {
      const producer = kafka.producer({
        kafkaJS: { idempotent: true, acks: -1, allowAutoTopicCreation: false },
        'linger.ms': LINGER_MS,
      });
      await producer.connect();
      const close = () => producer.disconnect();
      closers.add(close);
      return {
        send: async (topic, messages) => {
          await producer.send({
            topic,
            messages: messages.map((m) => ({ key: m.key, value: m.value, headers: { id: m.id } })),
          });
        },
        close,
      };
    },
    async consume({ topic, groupId, partitions, onBatch, commit }) {
      const consumer = kafka.consumer({
        kafkaJS: { groupId, fromBeginning: true, autoCommit: false, maxWaitTimeInMs: LONG_POLL_MS },
        // Its eachBatch passes at most 32 messages by default; kafkajs's batches are what one fetch brought.
        'js.consumer.max.batch.size': 1_000,
      });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic] });
      const policy = new CommitPolicy(commit, kafkajsCommit(topic, consumer));
      await consumer.run({
        partitionsConsumedConcurrently: partitions,
        // Without it, a batch whose offsets the handler did not resolve is fetched again (the consumer seeks back).
        eachBatchAutoResolve: true,
        eachBatch: async ({ batch }) => {
          const received = fromKafkajsBatch(batch);
          if (received.length === 0) return;
          await onBatch(received);
          await policy.processed(received);
        },
      });
      // The KafkaJS-compatible API has no group events (consumer.events is not implemented): poll the assignment.
      const ready = (async () => {
        while (consumer.assignment().length === 0) await new Promise((r) => setTimeout(r, 50));
      })();
      return { ready, stop: closers.consumerStop(policy, () => consumer.disconnect()) };
    },
    probe: (timeoutMs) => probeAdmin(kafka.admin(), timeoutMs, 'confluent probe'),
    close: () => closers.closeAll(),
  };
}

/** librdkafka logs every failed connection attempt (the wrong-CA probe makes many): keep them off the bench's output. */
function quietLogger(): object {
  const ignore = () => {};
  const logger = {
    info: ignore,
    warn: ignore,
    error: ignore,
    debug: ignore,
    setLogLevel: ignore,
    namespace: () => logger,
  };
  return logger;
}
