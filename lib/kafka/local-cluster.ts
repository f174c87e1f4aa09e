import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../net/free-port.ts';
import type { KafkaConnection } from './connection.ts';
import { ensureKafkaJars, run } from './kafka-jars.ts';
import { isRunning, killWithThisProcess, kraftLog4jProperties, kraftLogTail, kraftServerProperties, launchKraftNode, terminate, type KraftNodeSpec } from './kraft-node.ts';
import { probeClient, waitUntilServing, type WatchedNode } from './kraft-readiness.ts';
import { localCredentialsFile, writeLocalCredentials, writeLocalKafkaTls } from './local-secrets.ts';
import { KAFKA_ADMIN } from './principals.ts';

/** One node of a local cluster, as a test or operator sees it. */
export interface LocalClusterNode {
  /** Kafka's node.id (what partition leaders and replicas name). */
  readonly nodeId: number;
  /** host:port of its client listener (SASL_SSL). */
  readonly address: string;
  readonly dir: string;
  /** Its process id while it runs. */
  readonly pid: number | undefined;
  readonly running: boolean;
}

export interface LocalCluster {
  /** Client listeners of every node: the bootstrap list. */
  brokers: string[];
  /** The folder holding TLS material, credentials and each node's folder. */
  dataDir: string;
  nodes: readonly LocalClusterNode[];
  /** PEM file of the CA that signed every node's certificate: what clients trust. */
  caFile: string;
  /** The credentials file (JSON, mode 0600) of a principal created at start. */
  credentialsFile(principal: string): string;
  /** How a principal connects: TLS to the nodes, SASL/SCRAM-SHA-512 as itself. */
  connection(principal: string): KafkaConnection;
  /** The index in `nodes` of a Kafka node id. */
  indexOf(nodeId: number): number;
  /** Hard kill (SIGKILL) of node `index`, as a crash would; its data stays. */
  kill(index: number): Promise<void>;
  /** Starts node `index` again on its ports and data, and waits until it serves as a broker again. */
  start(index: number): Promise<void>;
  /** Index of the active KRaft controller (the metadata quorum's leader). */
  controllerIndex(): Promise<number>;
  /** Waits until every partition of every topic has all its replicas in sync (after a node came back). */
  waitUntilInSync(timeoutMs?: number): Promise<void>;
  /** Stops every node and, unless kept, deletes the data. */
  stop(options?: { keepData?: boolean }): Promise<void>;
}

export interface LocalClusterOptions {
  /** Number of nodes, each broker and controller (default 3). */
  brokers?: number;
  /** SCRAM users to create (the admin, a super user, always is). */
  principals?: string[];
  /** JVM heap of each node. */
  heap?: string;
  onProgress?: (line: string) => void;
  startTimeoutMs?: number;
}

/**
 * A KRaft cluster on free 127.0.0.1 ports, from the official Apache Kafka
 * jars: every node is broker and controller (a 3-voter quorum survives the
 * loss of any one node, the controller's included). Secured as production
 * is (see kraftServerProperties). For development and tests; with one node it
 * is the project's single local broker.
 */
export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  const progress = options.onProgress ?? (() => {});
  const size = options.brokers ?? 3;
  const heap = options.heap ?? (size > 1 ? '384m' : '512m');
  // Several JVMs starting at once on a small machine spend most of their start
  // compiling: the C1 compiler alone starts a 3-node cluster in about two thirds
  // of the time, and a development cluster is not there for peak throughput.
  // A single broker keeps the default JIT, so benchmarks on it stay comparable.
  const jvmOptions = size > 1 ? QUICK_START_JVM : [];
  const startTimeoutMs = options.startTimeoutMs ?? 90_000 + 30_000 * (size - 1);
  const classpath = `${await ensureKafkaJars(progress)}/*`;
  const dataDir = await mkdtemp(join(tmpdir(), size > 1 ? 'xhub-kafka-cluster-' : 'xhub-kafka-'));
  const nodeIds = Array.from({ length: size }, (_, i) => i + 1);
  const tls = await writeLocalKafkaTls(dataDir, nodeIds);
  const users = await writeLocalCredentials(dataDir, [KAFKA_ADMIN, ...(options.principals ?? []).filter((p) => p !== KAFKA_ADMIN)]);
  const specs: KraftNodeSpec[] = [];
  for (const nodeId of nodeIds) {
    const ports = { client: await freePort(), internal: await freePort(), controller: await freePort() };
    specs.push({ nodeId, dir: join(dataDir, `node-${nodeId}`), ports, keystoreFile: tls.keystoreFiles.get(nodeId)! });
  }
  const clusterId = randomBytes(16).toString('base64url');
  // `=` form: a random id may begin with '-', which would read as an option.
  // SCRAM users are part of the formatted metadata (KIP-900), so they exist before the first client.
  const scram = [...users].flatMap(([name, c]) => ['--add-scram', `SCRAM-SHA-512=[name=${name},password=${c.password}]`]);
  await Promise.all(
    specs.map(async (spec) => {
      await mkdir(spec.dir, { recursive: true });
      await writeFile(join(spec.dir, 'server.properties'), kraftServerProperties(spec, { nodes: specs, caFile: tls.caFile, nodePrincipals: tls.nodePrincipals }));
      await writeFile(join(spec.dir, 'log4j2.properties'), kraftLog4jProperties(spec.dir));
      await run('java', [...QUICK_START_JVM, '-cp', classpath, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '--config', join(spec.dir, 'server.properties'), ...scram], spec.dir, 'Java 17+ is needed');
    }),
  );
  const brokers = specs.map((s) => `127.0.0.1:${s.ports.client}`);
  const connection = (principal: string): KafkaConnection => {
    const credentials = users.get(principal);
    if (!credentials) throw new Error(`the local Kafka has no principal ${principal}`);
    return { brokers, ca: tls.caPem, credentials };
  };
  const children: (ChildProcess | undefined)[] = specs.map(() => undefined);
  const watched = (index: number): WatchedNode => ({
    nodeId: specs[index]!.nodeId,
    address: brokers[index]!,
    exited: () => {
      const child = children[index];
      return child === undefined || isRunning(child) ? null : (child.exitCode ?? -1);
    },
    logTail: () => kraftLogTail(specs[index]!.dir),
  });
  const running = () => specs.map((_, i) => i).filter((i) => isRunning(children[i]));
  const release = killWithThisProcess(() => children.forEach((c) => c?.kill('SIGKILL')));
  const stopAll = async (signal: NodeJS.Signals) => {
    await Promise.all(children.map((c) => terminate(c, signal, signal === 'SIGKILL' ? 5_000 : 20_000)));
  };

  progress(size > 1 ? `starting a ${size}-node Kafka cluster on ${brokers.join(',')}` : `starting Kafka broker on ${brokers[0]}`);
  specs.forEach((spec, i) => (children[i] = launchKraftNode(classpath, spec.dir, heap, jvmOptions)));
  try {
    await waitUntilServing(connection(KAFKA_ADMIN), specs.map((_, i) => watched(i)), startTimeoutMs);
  } catch (error) {
    await stopAll('SIGKILL');
    release();
    throw error;
  }
  progress(size > 1 ? `Kafka cluster ready: ${size} nodes (SASL_SSL)` : `Kafka broker ready on ${brokers[0]} (SASL_SSL)`);

  const indexOf = (nodeId: number) => {
    const index = specs.findIndex((s) => s.nodeId === nodeId);
    if (index < 0) throw new Error(`no Kafka node ${nodeId} in this cluster`);
    return index;
  };
  return {
    brokers,
    dataDir,
    nodes: specs.map((spec, i) => ({
      nodeId: spec.nodeId,
      address: brokers[i]!,
      dir: spec.dir,
      get pid() {
        return isRunning(children[i]) ? children[i]?.pid : undefined;
      },
      get running() {
        return isRunning(children[i]);
      },
    })),
    caFile: tls.caFile,
    credentialsFile: (principal) => localCredentialsFile(dataDir, principal),
    connection,
    indexOf,
    async kill(index) {
      await terminate(children[index], 'SIGKILL', 5_000);
    },
    async start(index) {
      if (isRunning(children[index])) throw new Error(`Kafka node ${specs[index]?.nodeId} is already running`);
      children[index] = launchKraftNode(classpath, specs[index]!.dir, heap, jvmOptions);
      await waitUntilServing(connection(KAFKA_ADMIN), running().map(watched), startTimeoutMs);
    },
    controllerIndex: async () => indexOf(await activeController(specs.filter((_, i) => isRunning(children[i])))),
    waitUntilInSync: (timeoutMs = 60_000) => waitUntilInSync(connection(KAFKA_ADMIN), timeoutMs),
    async stop({ keepData = false } = {}) {
      // Nodes of a cluster stopped together each wait for a controlled shutdown
      // the vanishing quorum can no longer grant (about 9 s): data that is thrown
      // away needs none. A single node stops at once on SIGTERM.
      await stopAll(keepData || size === 1 ? 'SIGTERM' : 'SIGKILL');
      release();
      if (!keepData) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** JVM options for a fast start: C1 only, and the serial collector (no GC threads to compete for two cores). */
const QUICK_START_JVM = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

/**
 * The metadata quorum's leader, from the quorum-state file each voter keeps
 * (the highest epoch any live voter has seen wins). Not DescribeCluster: in
 * KRaft its controller id names a random broker, since clients never talk to
 * controllers; and kafkajs has no DescribeQuorum.
 */
async function activeController(live: KraftNodeSpec[]): Promise<number> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    let best: { leaderId: number; leaderEpoch: number } | undefined;
    for (const spec of live) {
      const text = await readFile(join(spec.dir, 'data', '__cluster_metadata-0', 'quorum-state'), 'utf8').catch(() => '');
      const state = text ? (JSON.parse(text) as { leaderId?: number; leaderEpoch?: number }) : {};
      if (typeof state.leaderId === 'number' && state.leaderId >= 0 && typeof state.leaderEpoch === 'number' && (!best || state.leaderEpoch > best.leaderEpoch)) {
        best = { leaderId: state.leaderId, leaderEpoch: state.leaderEpoch };
      }
    }
    // A leader that no longer runs means the election after its loss is still going on.
    if (best && live.some((s) => s.nodeId === best.leaderId)) return best.leaderId;
    if (Date.now() >= deadline) throw new Error('the KRaft quorum has no live leader');
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function waitUntilInSync(connection: KafkaConnection, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const admin = probeClient(connection).admin();
  let behind = 'no answer';
  try {
    while (Date.now() < deadline) {
      try {
        await admin.connect();
        const { topics } = await admin.fetchTopicMetadata();
        const lagging = topics.flatMap((t) => t.partitions.filter((p) => p.leader < 0 || p.isr.length < p.replicas.length).map((p) => `${t.name}-${p.partitionId}`));
        if (lagging.length === 0) return;
        behind = `${lagging.length} partitions under-replicated (${lagging.slice(0, 5).join(', ')})`;
      } catch (error) {
        behind = (error as Error).message;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`Kafka replicas not in sync within ${timeoutMs} ms: ${behind}`);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
