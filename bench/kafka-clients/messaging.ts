/**
 * The bench's own messaging interface: the few operations the hub's exchange
 * path needs from a Kafka client, implemented once per client under test
 * (kafkajs, @platformatic/kafka, @confluentinc/kafka-javascript), so every
 * client runs the same workload behind the same calls.
 */
import type { KafkaConnection } from '../../lib/kafka/connection.ts';

export interface OutMessage {
  key: string;
  value: Buffer;
  /** Correlation id, carried in the `id` header as the hub's envelopes carry theirs. */
  id: string;
}

export interface InMessage extends OutMessage {
  partition: number;
  offset: string;
}

/** Idempotent, acks=all: `send` resolves once every message is acknowledged by all in-sync replicas. */
export interface BenchProducer {
  send(topic: string, messages: OutMessage[]): Promise<void>;
  close(): Promise<void>;
}

export interface ConsumeOptions {
  topic: string;
  groupId: string;
  /** Partitions of the topic: batches of different partitions may be handled concurrently, as the hub's consumers do. */
  partitions: number;
  /** Called with what one fetch brought, one partition or several; the next batch waits for it. */
  onBatch: (batch: InMessage[]) => Promise<void>;
  /**
   * When offsets are committed (always explicitly, never the client's auto-commit):
   * 'after-batch' once onBatch resolved (the connector's policy), or every N ms
   * (the node's reply-topic policy).
   */
  commit: 'after-batch' | { everyMs: number };
}

export interface BenchConsumer {
  /** Resolves once the group is joined and partitions are assigned. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

export interface TopicSpec {
  topic: string;
  partitions: number;
  /** Per-topic configs, set when the topic is created (broker auto-create is off). */
  configs: Record<string, string>;
}

/** A topic spec in the KafkaJS admin's shape (kafkajs and the confluent client's KafkaJS-compatible API), replication 1. */
export const kafkajsTopic = (s: TopicSpec) => ({
  topic: s.topic,
  numPartitions: s.partitions,
  replicationFactor: 1,
  configEntries: configEntries(s),
});

export const configEntries = (s: TopicSpec) =>
  Object.entries(s.configs).map(([name, value]) => ({ name, value }));

type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;

/** A batch as the KafkaJS-style eachBatch hands it over (kafkajs, and the confluent client's compatible API). */
export function fromKafkajsBatch(batch: {
  partition: number;
  messages: {
    key: Buffer | null;
    value: Buffer | null;
    offset: string;
    headers?: Record<string, HeaderValue>;
  }[];
}): InMessage[] {
  return batch.messages.map((m) => ({
    key: m.key?.toString() ?? '',
    value: m.value ?? Buffer.alloc(0),
    id: headerText(m.headers?.id),
    partition: batch.partition,
    offset: m.offset,
  }));
}

function headerText(h: HeaderValue): string {
  const v = Array.isArray(h) ? h[0] : h;
  return v === undefined ? '' : v.toString();
}

/** Commits through a KafkaJS-style consumer's commitOffsets. */
export const kafkajsCommit =
  (
    topic: string,
    consumer: {
      commitOffsets(offsets: { topic: string; partition: number; offset: string }[]): Promise<void>;
    },
  ) =>
  (offsets: Map<number, bigint>): Promise<void> =>
    consumer.commitOffsets(
      [...offsets].map(([partition, offset]) => ({ topic, partition, offset: String(offset) })),
    );

export interface BenchClient {
  readonly name: string;
  /** The package and version under test. */
  readonly version: string;
  createTopics(specs: TopicSpec[]): Promise<void>;
  producer(): Promise<BenchProducer>;
  consume(options: ConsumeOptions): Promise<BenchConsumer>;
  /**
   * Connects and asks for metadata; rejects if the connection is refused.
   * Used to check that a wrong CA or a wrong password is refused.
   */
  probe(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export type ClientName = 'kafkajs' | 'platformatic' | 'confluent';
export const CLIENT_NAMES: ClientName[] = ['kafkajs', 'platformatic', 'confluent'];

/**
 * Where the bench looks for @confluentinc/kafka-javascript: a scratch folder
 * outside the project (its install builds librdkafka from source, see the
 * README), so a fresh clone runs the bench without it.
 */
export const confluentDir = (): string => process.env.XHUB_CONFLUENT_KAFKA_DIR ?? '/tmp/confluent-scratch';

/** Creates a client of the named kind for one principal, or undefined (with the reason) when it is not installed. */
export async function loadClient(
  name: ClientName,
  connection: KafkaConnection,
  clientId: string,
): Promise<BenchClient | { missing: string }> {
  switch (name) {
    case 'kafkajs':
      return (await import('./kafkajs-client.ts')).kafkajsClient(connection, clientId);
    case 'platformatic':
      return (await import('./platformatic-client.ts')).platformaticClient(connection, clientId);
    case 'confluent':
      return (await import('./confluent-client.ts')).confluentClient(connection, clientId, confluentDir());
  }
}

export const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

/** Runs `op` under a deadline (a probe of a wrong CA may otherwise retry for ever). */
export async function withTimeout<T>(op: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      op,
      new Promise<never>(
        (_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms)),
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A probe through a KafkaJS-style admin: connect and list topics, under a deadline. */
export async function probeAdmin(
  admin: { connect(): Promise<void>; listTopics(): Promise<unknown>; disconnect(): Promise<void> },
  timeoutMs: number,
  what: string,
): Promise<void> {
  try {
    await withTimeout(
      (async () => {
        await admin.connect();
        await admin.listTopics();
      })(),
      timeoutMs,
      what,
    );
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** What a client has opened, closed last-opened first. */
export class Closers {
  private readonly list: (() => Promise<void>)[] = [];

  add(close: () => Promise<void>): () => Promise<void> {
    this.list.push(close);
    return close;
  }

  /** A consumer's stop, closed with the rest: its last commit, then its disconnect. */
  consumerStop(policy: CommitPolicy, disconnect: () => Promise<void>): () => Promise<void> {
    return this.add(async () => {
      await policy.stop();
      await disconnect();
    });
  }

  async closeAll(): Promise<void> {
    for (const close of this.list.splice(0).reverse()) await close().catch(() => {});
  }
}

/**
 * Commits for one consumer by its policy: right after each batch, or on a
 * timer with the latest offsets. `commit` receives the next offset to read
 * per partition (Kafka's committed-offset meaning).
 */
export class CommitPolicy {
  private readonly latest = new Map<number, bigint>();
  private timer: NodeJS.Timeout | undefined;
  private readonly policy: ConsumeOptions['commit'];
  private readonly commit: (offsets: Map<number, bigint>) => Promise<void>;

  constructor(policy: ConsumeOptions['commit'], commit: (offsets: Map<number, bigint>) => Promise<void>) {
    this.policy = policy;
    this.commit = commit;
    if (policy !== 'after-batch') {
      this.timer = setInterval(() => void this.flush().catch(() => {}), policy.everyMs);
      this.timer.unref();
    }
  }

  /** After onBatch: notes the batch's offsets, and commits them now under 'after-batch'. */
  async processed(batch: InMessage[]): Promise<void> {
    for (const m of batch) {
      const next = BigInt(m.offset) + 1n;
      if ((this.latest.get(m.partition) ?? -1n) < next) this.latest.set(m.partition, next);
    }
    if (this.policy === 'after-batch') await this.flush();
  }

  async flush(): Promise<void> {
    if (this.latest.size === 0) return;
    const offsets = new Map(this.latest);
    this.latest.clear();
    await this.commit(offsets);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch(() => {});
  }
}
