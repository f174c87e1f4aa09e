import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { createCertificateAuthority } from '../tls/certificates.ts';
import { kafkaSecurity } from './client.ts';
import type { KafkaConnection, KafkaCredentials } from './connection.ts';
import { ensureKafkaJars, run } from './kafka-jars.ts';
import { KAFKA_ADMIN } from './principals.ts';

export interface LocalBroker {
  brokers: string[];
  dataDir: string;
  /** PEM file of the CA that signed the broker's certificate: what clients trust. */
  caFile: string;
  /** The credentials file (JSON, mode 0600) of a principal created at start. */
  credentialsFile(principal: string): string;
  /** How a principal connects: TLS to the broker, SASL/SCRAM-SHA-512 as itself. */
  connection(principal: string): KafkaConnection;
  /** The broker's process id (for CPU and memory figures); changes on restart. */
  readonly pid: number | undefined;
  /** Stops the broker (SIGTERM, then SIGKILL after a grace period) and, unless kept, deletes its data. */
  stop(options?: { keepData?: boolean }): Promise<void>;
  /** Hard stop and start again on the same ports and data, as a crash and recovery would. */
  restart(): Promise<void>;
}

export interface LocalBrokerOptions {
  /** SCRAM users to create (the admin, a super user, always is). */
  principals?: string[];
  heap?: string;
  onProgress?: (line: string) => void;
  startTimeoutMs?: number;
}

/**
 * A single-node KRaft broker (combined broker and controller) on free
 * 127.0.0.1 ports, from the official Apache Kafka jars, secured as production
 * is: clients reach it only over TLS with SASL/SCRAM-SHA-512, one user per
 * principal (created when the storage is formatted), and the StandardAuthorizer
 * denies whatever no ACL allows. The broker's own listeners (inter-broker and
 * controller) take only TLS client certificates from its private CA. For
 * development and tests; production runs a multi-broker cluster.
 */
export async function startLocalBroker(options: LocalBrokerOptions = {}): Promise<LocalBroker> {
  const progress = options.onProgress ?? (() => {});
  const libs = await ensureKafkaJars(progress);
  const classpath = `${libs}/*`;
  const dataDir = await mkdtemp(join(tmpdir(), 'xhub-kafka-'));
  const [port, internalPort, controllerPort] = [await freePort(), await freePort(), await freePort()];
  const tls = await writeBrokerTls(dataDir);
  const users = await writeCredentials(dataDir, [KAFKA_ADMIN, ...(options.principals ?? []).filter((p) => p !== KAFKA_ADMIN)]);
  const props = join(dataDir, 'server.properties');
  await writeFile(props, serverProperties(dataDir, { port, internalPort, controllerPort }, tls));
  await writeFile(join(dataDir, 'log4j2.properties'), log4jProperties(dataDir));
  const clusterId = randomBytes(16).toString('base64url');
  // `=` form: a random id may begin with '-', which would read as an option.
  // SCRAM users are part of the formatted metadata (KIP-900), so they exist before the first client.
  const scram = [...users].flatMap(([name, c]) => ['--add-scram', `SCRAM-SHA-512=[name=${name},password=${c.password}]`]);
  await run('java', ['-cp', classpath, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '--config', props, ...scram], dataDir, 'Java 17+ is needed');
  const brokers = [`127.0.0.1:${port}`];
  const connection = (principal: string): KafkaConnection => {
    const credentials = users.get(principal);
    if (!credentials) throw new Error(`the local broker has no principal ${principal}`);
    return { brokers, ca: tls.caPem, credentials };
  };
  const launch = () => launchBroker(classpath, props, dataDir, options.heap ?? '512m');
  progress(`starting Kafka broker on ${brokers[0]}`);
  let child = launch();
  const release = killWithThisProcess(() => child.kill('SIGKILL'));
  try {
    await waitUntilReady(connection(KAFKA_ADMIN), child, dataDir, options.startTimeoutMs ?? 90_000);
  } catch (error) {
    await terminate(child, 'SIGKILL', 5_000);
    release();
    throw error;
  }
  progress(`Kafka broker ready on ${brokers[0]} (SASL_SSL)`);

  return {
    brokers,
    dataDir,
    caFile: tls.caFile,
    credentialsFile: (principal) => join(dataDir, 'credentials', `${principal}.json`),
    connection,
    get pid() {
      return child.pid;
    },
    async stop({ keepData = false } = {}) {
      await terminate(child, 'SIGTERM', 20_000);
      release();
      if (!keepData) await rm(dataDir, { recursive: true, force: true });
    },
    async restart() {
      await terminate(child, 'SIGKILL', 5_000);
      child = launch();
      await waitUntilReady(connection(KAFKA_ADMIN), child, dataDir, options.startTimeoutMs ?? 90_000);
    },
  };
}

interface BrokerTls {
  caFile: string;
  caPem: string;
  keystoreFile: string;
}

/** The broker's private CA and its certificate (serverAuth for clients, clientAuth toward its own controller). */
async function writeBrokerTls(dataDir: string): Promise<BrokerTls> {
  const dir = join(dataDir, 'tls');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const ca = await createCertificateAuthority('exchange-hub local Kafka CA');
  const broker = await ca.issue({ commonName: 'broker', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  const caFile = join(dir, 'ca.pem');
  const keystoreFile = join(dir, 'broker.pem');
  await writeFile(caFile, ca.certPem);
  // A PEM keystore holds the private key and then the certificate chain.
  await writeFile(keystoreFile, broker.keyPem + broker.certPem + ca.certPem, { mode: 0o600 });
  return { caFile, caPem: ca.certPem, keystoreFile };
}

/** A random SCRAM password per principal, each in its own credentials file (mode 0600). */
async function writeCredentials(dataDir: string, principals: string[]): Promise<Map<string, KafkaCredentials>> {
  const dir = join(dataDir, 'credentials');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const users = new Map<string, KafkaCredentials>();
  for (const username of principals) {
    const credentials = { username, password: randomBytes(24).toString('base64url') };
    const file = join(dir, `${username}.json`);
    await writeFile(file, JSON.stringify(credentials) + '\n', { mode: 0o600 });
    await chmod(file, 0o600);
    users.set(username, credentials);
  }
  return users;
}

function serverProperties(dataDir: string, ports: { port: number; internalPort: number; controllerPort: number }, tls: BrokerTls): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${ports.controllerPort}`,
    // Clients: TLS + SASL/SCRAM. The broker's own listeners: TLS with a client
    // certificate from the broker's private CA, so nobody else can use them.
    `listeners=CLIENT://127.0.0.1:${ports.port},INTERNAL://127.0.0.1:${ports.internalPort},CONTROLLER://127.0.0.1:${ports.controllerPort}`,
    `advertised.listeners=CLIENT://127.0.0.1:${ports.port},INTERNAL://127.0.0.1:${ports.internalPort}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=CLIENT:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL',
    'inter.broker.listener.name=INTERNAL',
    'sasl.enabled.mechanisms=SCRAM-SHA-512',
    'listener.name.client.sasl.enabled.mechanisms=SCRAM-SHA-512',
    'listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
    'listener.name.internal.ssl.client.auth=required',
    'listener.name.controller.ssl.client.auth=required',
    'ssl.keystore.type=PEM',
    `ssl.keystore.location=${tls.keystoreFile}`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${tls.caFile}`,
    'ssl.enabled.protocols=TLSv1.3,TLSv1.2',
    // No ACL, no access; the admin creates topics and ACLs, the broker talks to itself.
    'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'allow.everyone.if.no.acl.found=false',
    `super.users=User:${KAFKA_ADMIN};User:broker`,
    'ssl.principal.mapping.rules=RULE:^CN=([^,]+)$/$1/,DEFAULT',
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
    'unclean.leader.election.enable=false',
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

/**
 * The broker runs in a process group of its own (detached), so that Ctrl-C at
 * a terminal, which signals the whole foreground group, reaches the hub alone:
 * the hub then stops its components first and Kafka last, instead of watching
 * Kafka vanish under them (see killWithThisProcess for the other side).
 */
function launchBroker(classpath: string, props: string, dataDir: string, heap: string): ChildProcess {
  const out = createWriteStream(join(dataDir, 'stdout.log'), { flags: 'a' });
  const child = spawn(
    'java',
    [`-Xmx${heap}`, `-Xms${heap}`, `-Dlog4j2.configurationFile=${join(dataDir, 'log4j2.properties')}`, '-cp', classpath, 'kafka.Kafka', props],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  return child;
}

async function waitUntilReady(admin_: KafkaConnection, child: ChildProcess, dataDir: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const state: { exited: number | null } = { exited: null };
  const onExit = (code: number | null) => (state.exited = code ?? -1);
  child.once('exit', onExit);
  const admin = probeClient(admin_).admin();
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
        await probeIdempotentProducer(admin_);
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

function probeClient(connection: KafkaConnection): Kafka {
  return new Kafka({ brokers: connection.brokers, ...kafkaSecurity(connection), clientId: 'xhub-local-broker-probe', logLevel: logLevel.NOTHING, retry: { retries: 0 } });
}

async function probeIdempotentProducer(connection: KafkaConnection): Promise<void> {
  const producer = probeClient(connection).producer({
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

const FATAL_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * A detached broker no longer dies with its terminal's process group, so it
 * is killed when this process exits, and on a fatal signal that nothing else
 * here handles (then the signal is raised again for its default action). When
 * an ordered shutdown listens (cli/commands/shutdown.ts), the signal is left to
 * it: it stops Kafka last, and the exit hook covers whatever it leaves.
 * Returns the function that removes these hooks.
 */
function killWithThisProcess(kill: () => void): () => void {
  const handlers = FATAL_SIGNALS.map((signal) => {
    const handler = () => {
      if (process.listenerCount(signal) > 1) return;
      kill();
      release();
      process.kill(process.pid, signal);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  process.once('exit', kill);
  const release = () => {
    process.off('exit', kill);
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
  return release;
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
