/**
 * Three Kafka clients on the hub's workload, in one run, behind one interface
 * (bench/kafka-clients/messaging.ts): kafkajs (what the hub uses),
 * @platformatic/kafka and @confluentinc/kafka-javascript (librdkafka; loaded
 * from XHUB_CONFLUENT_KAFKA_DIR when built there, else skipped).
 *
 * On the local Kafka secured as production is (TLS with a private CA,
 * SASL/SCRAM-SHA-512, ACLs), as the admin principal, for each client:
 * - security: a wrong CA and a wrong password must be refused;
 * - per-topic configs: the client creates its topics with configs, read back through kafkajs's describeConfigs;
 * - request-reply: a request topic consumed by a responder process, a reply topic
 *   consumed by the caller, ~1 KB messages, idempotent acks=all producers,
 *   explicit commits (responder after each batch, caller every 5 s), driven at
 *   each concurrency for a few seconds: round trips/s, latency, CPU µs per round
 *   trip of caller, responder and Kafka;
 * - produce: acks=all idempotent, batched, from many concurrent senders; then
 *   the topic's offsets are checked against what was acknowledged.
 * Writes bench-results/kafka-clients.json.
 * Usage: node bench/kafka-clients.ts [--seconds 4] [--concurrency 16,64,128] [--clients kafkajs,platformatic,confluent] [--produce-seconds 4]
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { demoPrincipals } from '../cli/demo-setup.ts';
import { acquireKafka } from '../lib/kafka/broker-source.ts';
import { createKafka } from '../lib/kafka/client.ts';
import type { KafkaConnection } from '../lib/kafka/connection.ts';
import { KAFKA_ADMIN } from '../lib/kafka/principals.ts';
import { createLogger } from '../lib/log.ts';
import { createCertificateAuthority } from '../lib/tls/certificates.ts';
import { machine, percentiles, writeResult } from './bench-hub.ts';
import { processStats, startChild } from './load/processes.ts';
import { runLoad, type LoadResult } from './load/run-load.ts';
import {
  asError,
  CLIENT_NAMES,
  loadClient,
  withTimeout,
  type BenchClient,
  type ClientName,
  type OutMessage,
} from './kafka-clients/messaging.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '4' },
    concurrency: { type: 'string', default: '16,64,128' },
    clients: { type: 'string', default: CLIENT_NAMES.join(',') },
    'produce-seconds': { type: 'string', default: '4' },
  },
});
const durationMs = Number(values.seconds) * 1000;
const produceMs = Number(values['produce-seconds']) * 1000;
const levels = values.concurrency.split(',').map(Number);
const names = values.clients.split(',') as ClientName[];
const PARTITIONS = 3;
const PRODUCE_CONCURRENCY = 512;
/** A call whose reply has not come by then counts as an error (a lost message must not hang the run). */
const CALL_TIMEOUT_MS = 10_000;
const PROBE_TIMEOUT_MS = 8_000;
const VALUE = Buffer.alloc(900, 'x'); // with key and header, about the size of a signed request envelope
const TOPIC_CONFIGS = {
  'cleanup.policy': 'delete',
  'retention.ms': String(3_600_000),
  'min.insync.replicas': '1',
  'unclean.leader.election.enable': 'false',
};

const kafkaHandle = await acquireKafka(demoPrincipals(), (line) => console.error(line));
const admin = kafkaHandle.connection(KAFKA_ADMIN);
const checker = createKafka(admin, 'bench-kafka-clients-check', createLogger('bench', 'error')).admin();
await checker.connect();
const prefix = `kc${Date.now()}.`;
const kafkaCpu = () => (kafkaHandle.pid === undefined ? 0 : processStats(kafkaHandle.pid).cpuSeconds);
const ownCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const progress = (label: string) => (done: number, ms: number) =>
  process.stderr.write(`\r[${label}] ${Math.round(ms / 1000)} s, ${Math.round(done / (ms / 1000))}/s   `);
const summary = (r: LoadResult) => ({
  perSecond: Math.round(r.completed / r.seconds),
  completed: r.completed,
  errors: r.errors,
  errorCodes: r.errorCodes,
  latencyMs: percentiles(r.latenciesMs.length ? r.latenciesMs : [0]),
});
const micros = (seconds: number, n: number) => Math.round((seconds * 1e6) / Math.max(1, n));

/** A wrong CA and a wrong password must be refused; the right ones accepted. */
async function securityChecks(name: ClientName) {
  const otherCa = await createCertificateAuthority('not the Kafka CA');
  const variants: Record<string, KafkaConnection> = {
    valid: admin,
    wrongCa: { ...admin, ca: otherCa.certPem },
    wrongPassword: {
      ...admin,
      credentials: { username: admin.credentials!.username, password: `${admin.credentials!.password}x` },
    },
  };
  const outcome: Record<string, string> = {};
  await Promise.all(
    Object.entries(variants).map(async ([variant, connection]) => {
      const client = await loadClient(name, connection, `bench-${name}-probe`);
      if ('missing' in client) return;
      const t0 = performance.now();
      try {
        await client.probe(PROBE_TIMEOUT_MS);
        outcome[variant] = 'connected';
      } catch (error) {
        const message = (error as Error).message.replaceAll(/\s+/g, ' ').slice(0, 160);
        outcome[variant] = message.includes('no answer in')
          ? `no connection in ${PROBE_TIMEOUT_MS} ms`
          : `refused in ${Math.round(performance.now() - t0)} ms: ${message}`;
      } finally {
        await client.close();
      }
    }),
  );
  return {
    ...outcome,
    ok:
      outcome.valid === 'connected' &&
      outcome.wrongCa !== 'connected' &&
      outcome.wrongPassword !== 'connected',
  };
}

/** The topic configs as the broker reports them, compared with what the client asked for. */
async function configsApplied(topics: string[]): Promise<boolean> {
  // A client's createTopics may return before the new topics' metadata has settled.
  for (let attempt = 1; ; attempt++) {
    try {
      return await readConfigs(topics);
    } catch (error) {
      if (attempt >= 20) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

async function readConfigs(topics: string[]): Promise<boolean> {
  const { resources } = await checker.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({ type: 2 /* TOPIC */, name, configNames: Object.keys(TOPIC_CONFIGS) })),
  });
  return resources.every((r) =>
    Object.entries(TOPIC_CONFIGS).every(
      ([k, v]) => r.configEntries.find((e) => e.configName === k)?.configValue === v,
    ),
  );
}

/** Messages in a topic (end minus start offsets, all partitions). */
async function messagesIn(topic: string): Promise<number> {
  const offsets = await checker.fetchTopicOffsets(topic);
  return offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
}

async function requestReply(client: BenchClient, name: ClientName) {
  const [requests, replies] = [`${prefix}${name}.requests`, `${prefix}${name}.replies`];
  const responder = await startChild(
    [
      'bench/kafka-clients/responder-main.ts',
      name,
      kafkaHandle.brokers.join(','),
      requests,
      replies,
      `${prefix}${name}.responder`,
      String(PARTITIONS),
    ],
    'responder ready',
    {
      KAFKA_CA_FILE: kafkaHandle.caFile,
      KAFKA_CREDENTIALS_FILE: kafkaHandle.credentialsFile(KAFKA_ADMIN),
    },
  );
  const pending = new Map<string, () => void>();
  let unexpectedReplies = 0;
  const producer = await client.producer();
  const consumer = await client.consume({
    topic: replies,
    groupId: `${prefix}${name}.caller`,
    partitions: PARTITIONS,
    // The node's reply-topic commit policy: every few seconds.
    commit: { everyMs: 5_000 },
    onBatch: async (batch) => {
      for (const m of batch) {
        const done = pending.get(m.id);
        if (done) {
          pending.delete(m.id);
          done();
        } else unexpectedReplies++;
      }
    },
  });
  await consumer.ready;
  const call = () =>
    new Promise<void>((resolve, reject) => {
      const id = randomUUID();
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(Object.assign(new Error('no reply'), { code: 'timeout' }));
      }, CALL_TIMEOUT_MS);
      pending.set(id, () => {
        clearTimeout(timer);
        resolve();
      });
      const message: OutMessage = { key: id, value: VALUE, id };
      producer.send(requests, [message]).catch((error: unknown) => {
        clearTimeout(timer);
        pending.delete(id);
        reject(asError(error));
      });
    });
  // Warm up JITs, connections and fetch sessions.
  await runLoad(call, 32, 3_000, progress(`${name} warm-up`));
  const runs: Record<
    string,
    ReturnType<typeof summary> & {
      cpuMicrosPerRoundTrip: { caller: number; responder: number; kafka: number; total: number };
    }
  > = {};
  for (const c of levels) {
    const before = { caller: ownCpu(), responder: processStats(responder.pid).cpuSeconds, kafka: kafkaCpu() };
    const r = await runLoad(call, c, durationMs, progress(`${name} request-reply C=${c}`));
    const after = { caller: ownCpu(), responder: processStats(responder.pid).cpuSeconds, kafka: kafkaCpu() };
    const cpu = {
      caller: micros(after.caller - before.caller, r.completed),
      responder: micros(after.responder - before.responder, r.completed),
      kafka: micros(after.kafka - before.kafka, r.completed),
    };
    runs[`C=${c}`] = {
      ...summary(r),
      cpuMicrosPerRoundTrip: { ...cpu, total: cpu.caller + cpu.responder + cpu.kafka },
    };
  }
  process.stderr.write('\n');
  await consumer.stop();
  await producer.close();
  await responder.stop();
  const best = Object.entries(runs).reduce((a, b) => (b[1].perSecond > a[1].perSecond ? b : a));
  return {
    runs,
    max: {
      perSecond: best[1].perSecond,
      at: best[0],
      cpuMicrosPerRoundTrip: best[1].cpuMicrosPerRoundTrip.total,
    },
    unexpectedReplies,
  };
}

async function produceThroughput(client: BenchClient, name: ClientName) {
  const topic = `${prefix}${name}.produce`;
  const producer = await client.producer();
  let acknowledged = 0;
  const send = async () => {
    await producer.send(topic, [{ key: randomUUID(), value: VALUE, id: 'p' }]);
    acknowledged++;
  };
  await runLoad(send, PRODUCE_CONCURRENCY, 1_000);
  const before = { producer: ownCpu(), kafka: kafkaCpu(), acknowledged };
  const r = await runLoad(send, PRODUCE_CONCURRENCY, produceMs, progress(`${name} produce`));
  const sent = acknowledged - before.acknowledged;
  const cpu = {
    producer: micros(ownCpu() - before.producer, sent),
    kafka: micros(kafkaCpu() - before.kafka, sent),
  };
  process.stderr.write('\n');
  await producer.close();
  // Every acknowledged message is in the topic exactly once (idempotence), and nothing else is.
  const inTopic = await messagesIn(topic);
  return {
    perSecond: Math.round(r.completed / r.seconds),
    concurrency: PRODUCE_CONCURRENCY,
    errors: r.errors,
    latencyMs: percentiles(r.latenciesMs.length ? r.latenciesMs : [0]),
    cpuMicrosPerMessage: { ...cpu, total: cpu.producer + cpu.kafka },
    acknowledged,
    inTopic,
    exactlyOnce: inTopic === acknowledged,
  };
}

const results: Record<string, object> = {};
for (const name of names) {
  const client = await loadClient(name, admin, `bench-${name}`);
  if ('missing' in client) {
    console.error(`skipping ${name}: ${client.missing}`);
    results[name] = { skipped: client.missing };
    continue;
  }
  console.error(`${name}: ${client.version}`);
  const security = await securityChecks(name);
  const topics = ['requests', 'replies', 'produce'].map((t) => `${prefix}${name}.${t}`);
  await client.createTopics(
    topics.map((topic) => ({ topic, partitions: PARTITIONS, configs: TOPIC_CONFIGS })),
  );
  const perTopicConfigs = await configsApplied(topics);
  const rr = await requestReply(client, name);
  const produce = await produceThroughput(client, name);
  await withTimeout(client.close(), 30_000, `${name} close`).catch((error: unknown) =>
    console.error(`${name} did not close: ${(error as Error).message}`),
  );
  results[name] = { version: client.version, security, perTopicConfigs, requestReply: rr, produce };
}
await checker.disconnect();

const result = {
  benchmark: 'kafka-clients',
  date: new Date().toISOString(),
  command: `node bench/kafka-clients.ts --seconds ${values.seconds} --concurrency ${values.concurrency} --clients ${values.clients} --produce-seconds ${values['produce-seconds']}`,
  machine: machine(),
  kafka: kafkaHandle.source,
  kafkaCounted: kafkaHandle.pid !== undefined,
  workload: {
    partitions: PARTITIONS,
    messageBytes: VALUE.length + 36 + 38,
    secondsPerLevel: durationMs / 1000,
    produceSeconds: produceMs / 1000,
    produceConcurrency: PRODUCE_CONCURRENCY,
  },
  clients: results,
};
await writeResult('kafka-clients', result);

type ClientResult = {
  version: string;
  security: { ok: boolean };
  perTopicConfigs: boolean;
  requestReply: Awaited<ReturnType<typeof requestReply>>;
  produce: Awaited<ReturnType<typeof produceThroughput>>;
};
const fmt = (n: number) => n.toLocaleString('en-US');
const lines = [
  '',
  `| client | C | round trips/s | p50 ms | p99 ms | CPU µs/round trip (caller + responder + Kafka) | errors |`,
  '| --- | --- | --- | --- | --- | --- | --- |',
];
for (const [name, r] of Object.entries(results)) {
  if ('skipped' in r) {
    lines.push(`| ${name} | skipped: not installed | | | | | |`);
    continue;
  }
  const { requestReply: rr } = r as ClientResult;
  for (const [level, run] of Object.entries(rr.runs)) {
    const c = run.cpuMicrosPerRoundTrip;
    lines.push(
      `| ${name} | ${level.slice(2)} | ${fmt(run.perSecond)} | ${run.latencyMs.p50.toFixed(1)} | ${run.latencyMs.p99.toFixed(1)} | ${fmt(c.total)} (${fmt(c.caller)} + ${fmt(c.responder)} + ${fmt(c.kafka)}) | ${run.errors} |`,
    );
  }
}
lines.push(
  '',
  '| client | produce msgs/s | p50 ms | p99 ms | CPU µs/msg (producer + Kafka) | acknowledged = in topic | wrong CA / password refused | per-topic configs |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
);
for (const [name, r] of Object.entries(results)) {
  if ('skipped' in r) continue;
  const { produce: p, security, perTopicConfigs } = r as ClientResult;
  const c = p.cpuMicrosPerMessage;
  lines.push(
    `| ${name} | ${fmt(p.perSecond)} | ${p.latencyMs.p50.toFixed(1)} | ${p.latencyMs.p99.toFixed(1)} | ${fmt(c.total)} (${fmt(c.producer)} + ${fmt(c.kafka)}) | ${p.exactlyOnce ? 'yes' : `NO (${fmt(p.acknowledged)} vs ${fmt(p.inTopic)})`} | ${security.ok ? 'yes' : 'NO'} | ${perTopicConfigs ? 'yes' : 'NO'} |`,
  );
}
if (!result.kafkaCounted)
  lines.push('Kafka is not a local process here (KAFKA_BROKERS): its CPU is not counted');
console.error(lines.join('\n'));
await kafkaHandle.stop();
