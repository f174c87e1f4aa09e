import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ensureKafkaJars, run } from './kafka-jars.ts';

export interface LocalBroker {
  brokers: string[];
  dataDir: string;
  /** The broker's process id (for CPU and memory figures); changes on restart. */
  readonly pid: number | undefined;
  /** Stops the broker (SIGTERM, then SIGKILL after a grace period) and, unless kept, deletes its data. */
  stop(options?: { keepData?: boolean }): Promise<void>;
  /** Hard stop and start again on the same ports and data, as a crash and recovery would. */
  restart(): Promise<void>;
}

export interface LocalBrokerOptions {
  heap?: string;
  onProgress?: (line: string) => void;
  startTimeoutMs?: number;
}

/**
 * A single-node KRaft broker (combined broker and controller) on free
 * 127.0.0.1 ports, from the official Apache Kafka jars. For development and
 * tests; production runs a multi-broker cluster.
 */
export async function startLocalBroker(options: LocalBrokerOptions = {}): Promise<LocalBroker> {
  const progress = options.onProgress ?? (() => {});
  const libs = await ensureKafkaJars(progress);
  const classpath = `${libs}/*`;
  const dataDir = await mkdtemp(join(tmpdir(), 'xhub-kafka-'));
  const [port, controllerPort] = [await freePort(), await freePort()];
  const props = join(dataDir, 'server.properties');
  await writeFile(props, serverProperties(dataDir, port, controllerPort));
  await writeFile(join(dataDir, 'log4j2.properties'), log4jProperties(dataDir));
  const clusterId = randomBytes(16).toString('base64url');
  // `=` form: a random id may begin with '-', which would read as an option.
  await run('java', ['-cp', classpath, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '--config', props], dataDir, 'Java 17+ is needed');
  const brokers = [`127.0.0.1:${port}`];
  const launch = () => launchBroker(classpath, props, dataDir, options.heap ?? '512m');
  progress(`starting Kafka broker on ${brokers[0]}`);
  let child = launch();
  await waitUntilReady(brokers, child, dataDir, options.startTimeoutMs ?? 90_000);
  progress(`Kafka broker ready on ${brokers[0]}`);

  const cleanupOnExit = () => child.kill('SIGKILL');
  process.once('exit', cleanupOnExit);
  return {
    brokers,
    dataDir,
    get pid() {
      return child.pid;
    },
    async stop({ keepData = false } = {}) {
      process.off('exit', cleanupOnExit);
      await terminate(child, 'SIGTERM', 20_000);
      if (!keepData) await rm(dataDir, { recursive: true, force: true });
    },
    async restart() {
      await terminate(child, 'SIGKILL', 5_000);
      child = launch();
      await waitUntilReady(brokers, child, dataDir, options.startTimeoutMs ?? 90_000);
    },
  };
}

function serverProperties(dataDir: string, port: number, controllerPort: number): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${join(dataDir, 'data')}`,
    // A single broker cannot hold 3 replicas of the internal topics; without
    // these, consumer groups never get a coordinator.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=3',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    // The hub creates its topics with explicit settings.
    'auto.create.topics.enable=false',
    'group.initial.rebalance.delay.ms=0',
    'num.partitions=1',
    // Sized for a small development machine: Kafka's defaults (3 network and 8
    // I/O threads) only add context switches on two cores.
    'num.network.threads=2',
    'num.io.threads=2',
    '',
  ].join('\n');
}

function log4jProperties(dataDir: string): string {
  return [
    'rootLogger.level=INFO',
    'rootLogger.appenderRef.file.ref=file',
    'appender.file.type=File',
    'appender.file.name=file',
    `appender.file.fileName=${join(dataDir, 'server.log')}`,
    'appender.file.layout.type=PatternLayout',
    'appender.file.layout.pattern=[%d] %p %m (%c)%n',
    '',
  ].join('\n');
}

function launchBroker(classpath: string, props: string, dataDir: string, heap: string): ChildProcess {
  const out = createWriteStream(join(dataDir, 'stdout.log'), { flags: 'a' });
  const child = spawn(
    'java',
    [`-Xmx${heap}`, `-Xms${heap}`, `-Dlog4j2.configurationFile=${join(dataDir, 'log4j2.properties')}`, '-cp', classpath, 'kafka.Kafka', props],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  return child;
}

async function waitUntilReady(brokers: string[], child: ChildProcess, dataDir: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const state: { exited: number | null } = { exited: null };
  const onExit = (code: number | null) => (state.exited = code ?? -1);
  child.once('exit', onExit);
  const admin = new Kafka({ brokers, clientId: 'xhub-local-broker-probe', logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  try {
    while (Date.now() < deadline) {
      if (state.exited !== null) throw new Error(`Kafka broker exited with code ${state.exited}:\n${await tail(dataDir)}`);
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        await admin.fetchTopicMetadata({ topics: [] });
        // The group coordinator answers only once its internal topic has loaded:
        // until then every consumer group join fails, so wait for it here.
        await admin.describeGroups(['xhub-readiness-probe']);
        // Likewise the producer-id allocation that idempotent producers need.
        await probeIdempotentProducer(brokers);
        if (cluster.brokers.length > 0) return;
      } catch {
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    throw new Error(`Kafka broker did not answer metadata within ${timeoutMs} ms:\n${await tail(dataDir)}`);
  } finally {
    child.off('exit', onExit);
    await admin.disconnect().catch(() => {});
  }
}

async function probeIdempotentProducer(brokers: string[]): Promise<void> {
  const producer = new Kafka({ brokers, clientId: 'xhub-local-broker-probe', logLevel: logLevel.NOTHING, retry: { retries: 0 } }).producer({
    idempotent: true,
    maxInFlightRequests: 1,
    // kafkajs refuses an idempotent producer without retries; one is enough for a probe.
    retry: { retries: 1, initialRetryTime: 50 },
  });
  try {
    await producer.connect();
  } finally {
    await producer.disconnect().catch(() => {});
  }
}

async function tail(dataDir: string): Promise<string> {
  const text = await readFile(join(dataDir, 'server.log'), 'utf8').catch(() => '');
  const out = await readFile(join(dataDir, 'stdout.log'), 'utf8').catch(() => '');
  return (text + out).split('\n').slice(-30).join('\n');
}

function terminate(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
