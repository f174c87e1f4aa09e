// A producer while partition leaders die: the hub's (lib/kafka/producer.ts: kafkajs behind the
// BatchingProducer), or with --client platformatic @platformatic/kafka's behind the same. On a local 3-broker
// cluster (TLS, SASL/SCRAM; replication 3, min in-sync 2), concurrent senders write keyed
// messages to two topics of 6 partitions each; the broker leading the most partitions is
// killed (-9), brought back, then the next one is killed. Every message is then read back:
// an acknowledged message missing or present twice is a defect (kafkajs lost some: #1303), and
// so is a send that waits far longer than Kafka takes to elect a new leader.
// Usage: node bench/producer-failover.ts [--client kafkajs|platformatic] [--seconds 30] [--senders 64]
import { parseArgs } from 'node:util';
import { Admin, Consumer, stringDeserializer } from '@platformatic/kafka';
import { createKafka } from '../lib/kafka/client.ts';
import { startLocalCluster } from '../lib/kafka/local-cluster.ts';
import { KAFKA_ADMIN } from '../lib/kafka/principals.ts';
import { connectProducer } from '../lib/kafka/producer.ts';
import { createLogger } from '../lib/log.ts';
import { machine, percentiles, writeResult } from './bench-hub.ts';
import { platformaticBatchingProducer } from './kafka-clients/platformatic-client.ts';
import { platformaticOptions } from './kafka-clients/platformatic-options.ts';

const { values } = parseArgs({ options: { client: { type: 'string', default: 'kafkajs' }, seconds: { type: 'string', default: '30' }, senders: { type: 'string', default: '64' } } });
const seconds = Number(values.seconds);
const senders = Number(values.senders);
const client = values.client;
if (!(seconds >= 20) || !(senders >= 1)) throw new Error('--seconds takes a number of at least 20 and --senders a positive number');
if (client !== 'kafkajs' && client !== 'platformatic') throw new Error(`--client is kafkajs or platformatic, not "${client}"`);

const cluster = await startLocalCluster({ brokers: 3, onProgress: (line) => console.error(`[cluster] ${line}`) });
try {
  const connection = cluster.connection(KAFKA_ADMIN);
  const topics = ['failover.a', 'failover.b'];
  const admin = new Admin(platformaticOptions(connection, 'failover-admin'));
  for (const topic of topics) await admin.createTopics({ topics: [topic], partitions: 6, replicas: 3, configs: [{ name: 'min.insync.replicas', value: '2' }] });
  const { producer, disconnect } = client === 'kafkajs' ? await connectProducer(createKafka(connection, 'failover-producer', createLogger('failover', 'error'))) : await platformaticBatchingProducer(connection, 'failover-producer').then(({ producer, close }) => ({ producer, disconnect: close }));

  const leaderOfMost = async (except: number[]) => {
    const metadata = await admin.metadata({ topics, forceUpdate: true });
    const led = new Map<number, number>();
    for (const t of topics) for (const p of metadata.topics.get(t)!.partitions) if (!except.includes(p.leader)) led.set(p.leader, (led.get(p.leader) ?? 0) + 1);
    return [...led].sort((a, b) => b[1] - a[1])[0]![0];
  };
  const faults: { at: number; what: string }[] = [];
  const started = Date.now();
  const sleepUntil = (s: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, started + s * 1000 - Date.now())));
  const chaos = (async () => {
    await sleepUntil(5);
    const first = await leaderOfMost([]);
    faults.push({ at: Date.now() - started, what: `kill broker ${first}` });
    await cluster.kill(cluster.indexOf(first));
    await sleepUntil(10);
    faults.push({ at: Date.now() - started, what: `start broker ${first}` });
    await cluster.start(cluster.indexOf(first));
    await cluster.waitUntilInSync();
    const second = await leaderOfMost([]);
    faults.push({ at: Date.now() - started, what: `kill broker ${second}` });
    await cluster.kill(cluster.indexOf(second));
  })();

  const acknowledged = new Set<string>();
  const failed: string[] = [];
  const sendMs: number[] = [];
  let n = 0;
  const sender = async (id: number) => {
    while (Date.now() - started < seconds * 1000) {
      const value = `${id}-${n++}`;
      const t0 = performance.now();
      try {
        await producer.send(topics[n % 2]!, { key: value, value });
        acknowledged.add(value);
      } catch (error) {
        failed.push(`${value}: ${(error as Error).message}`);
      }
      sendMs.push(performance.now() - t0);
    }
  };
  await Promise.all([...Array(senders).keys()].map(sender));
  await chaos;
  await disconnect();

  // Read everything back, from the brokers still up.
  const ends = await admin.listOffsets({ topics: topics.map((name) => ({ name, partitions: [0, 1, 2, 3, 4, 5].map((partitionIndex) => ({ partitionIndex, timestamp: -1n })) })) });
  const total = ends.flatMap((t) => t.partitions).reduce((sum, p) => sum + Number(p.offset), 0);
  const consumer = new Consumer({ ...platformaticOptions(connection, 'failover-reader'), groupId: `failover-reader-${Date.now()}`, deserializers: { value: stringDeserializer } });
  const stream = await consumer.consume({ topics, mode: 'earliest', autocommit: false });
  const seen = new Map<string, number>();
  let read = 0;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${read} of ${total} records within 60 s`)), 60_000);
    stream.on('data', (m) => {
      seen.set(m.value, (seen.get(m.value) ?? 0) + 1);
      if (++read >= total) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  await stream.close();
  await consumer.close();
  await admin.close();

  const lost = [...acknowledged].filter((v) => !seen.has(v));
  const doubled = [...seen].filter(([, count]) => count > 1);
  const latency = percentiles(sendMs);
  await writeResult(`producer-failover-${client}`, {
    machine: machine(),
    client,
    seconds,
    senders,
    faults,
    acknowledged: acknowledged.size,
    failedSends: failed.length,
    firstFailures: failed.slice(0, 3),
    recordsInTopics: total,
    lostAcknowledged: lost.length,
    doubled: doubled.length,
    unacknowledgedButWritten: [...seen.keys()].filter((v) => !acknowledged.has(v)).length,
    sendLatencyMs: latency,
  });
  console.log(
    `producer failover (${client}): ${acknowledged.size} messages acknowledged, ${failed.length} sends failed, ${lost.length} acknowledged but lost, ${doubled.length} written twice; longest send ${Math.round(latency.max)} ms (${faults.map((f) => `${f.what} at ${(f.at / 1000).toFixed(1)} s`).join(', ')})`,
  );
  if (lost.length > 0 || doubled.length > 0) process.exitCode = 1;
} finally {
  await cluster.stop();
}
