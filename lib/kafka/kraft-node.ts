import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KAFKA_ADMIN } from './principals.ts';

/** One KRaft node of a local Kafka: broker and controller in one process. */
export interface KraftNodeSpec {
  nodeId: number;
  /** Its own folder: server.properties, data, logs. */
  dir: string;
  ports: { client: number; internal: number; controller: number };
  keystoreFile: string;
}

/** What every node of one local Kafka shares. */
export interface KraftClusterSpec {
  nodes: KraftNodeSpec[];
  caFile: string;
  /** TLS principals of the nodes themselves. */
  nodePrincipals: string[];
}

/**
 * server.properties of one node, secured as production is: clients reach it
 * only over TLS with SASL/SCRAM-SHA-512; the inter-broker and controller
 * listeners take only TLS client certificates from the private CA; the
 * StandardAuthorizer denies whatever no ACL allows.
 */
export function kraftServerProperties(node: KraftNodeSpec, cluster: KraftClusterSpec): string {
  const { client, internal, controller } = node.ports;
  const size = cluster.nodes.length;
  // Internal topics get 3 replicas (2 in sync) where there are 3 nodes; a
  // single node cannot hold more than one, and without a fitting factor consumer
  // groups never get a coordinator.
  const replicas = Math.min(3, size);
  const minIsr = Math.min(2, size);
  return [
    'process.roles=broker,controller',
    `node.id=${node.nodeId}`,
    `controller.quorum.voters=${cluster.nodes.map((n) => `${n.nodeId}@127.0.0.1:${n.ports.controller}`).join(',')}`,
    `listeners=CLIENT://127.0.0.1:${client},INTERNAL://127.0.0.1:${internal},CONTROLLER://127.0.0.1:${controller}`,
    `advertised.listeners=CLIENT://127.0.0.1:${client},INTERNAL://127.0.0.1:${internal}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=CLIENT:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL',
    'inter.broker.listener.name=INTERNAL',
    'sasl.enabled.mechanisms=SCRAM-SHA-512',
    'listener.name.client.sasl.enabled.mechanisms=SCRAM-SHA-512',
    'listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
    'listener.name.internal.ssl.client.auth=required',
    'listener.name.controller.ssl.client.auth=required',
    'ssl.keystore.type=PEM',
    `ssl.keystore.location=${node.keystoreFile}`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${cluster.caFile}`,
    'ssl.enabled.protocols=TLSv1.3,TLSv1.2',
    // No ACL, no access; the admin creates topics and ACLs, the nodes talk to each other.
    'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'allow.everyone.if.no.acl.found=false',
    `super.users=${[KAFKA_ADMIN, ...cluster.nodePrincipals].map((p) => `User:${p}`).join(';')}`,
    'ssl.principal.mapping.rules=RULE:^CN=([^,]+)$/$1/,DEFAULT',
    `log.dirs=${join(node.dir, 'data')}`,
    `offsets.topic.replication.factor=${replicas}`,
    'offsets.topic.num.partitions=3',
    `transaction.state.log.replication.factor=${replicas}`,
    `transaction.state.log.min.isr=${minIsr}`,
    `share.coordinator.state.topic.replication.factor=${replicas}`,
    `share.coordinator.state.topic.min.isr=${minIsr}`,
    `default.replication.factor=${replicas}`,
    `min.insync.replicas=${minIsr}`,
    // The hub creates its topics with explicit settings.
    'auto.create.topics.enable=false',
    // A replica that was out of sync never becomes leader: that would drop acknowledged records.
    'unclean.leader.election.enable=false',
    'group.initial.rebalance.delay.ms=0',
    'num.partitions=1',
    // Sized for a small development machine: Kafka's defaults (3 network and 8
    // I/O threads) only add context switches on two cores.
    'num.network.threads=2',
    'num.io.threads=2',
    ...(size > 1
      ? [
          // A killed node's partitions wait for it to be fenced before they get a new
          // leader (and leave acks=all writes waiting on it); Kafka's 9 s default makes
          // every broker loss a long stall. 5 s still rides out a GC pause on a busy laptop.
          'broker.heartbeat.interval.ms=1000',
          'broker.session.timeout.ms=5000',
        ]
      : []),
    '',
  ].join('\n');
}

export function kraftLog4jProperties(dir: string): string {
  return [
    'rootLogger.level=INFO',
    'rootLogger.appenderRef.file.ref=file',
    'appender.file.type=File',
    'appender.file.name=file',
    `appender.file.fileName=${join(dir, 'server.log')}`,
    'appender.file.layout.type=PatternLayout',
    'appender.file.layout.pattern=[%d] %p %m (%c)%n',
    '',
  ].join('\n');
}

/**
 * The node runs in a process group of its own (detached), so that Ctrl-C at
 * a terminal, which signals the whole foreground group, reaches the hub alone:
 * the hub then stops its components first and Kafka last, instead of watching
 * Kafka vanish under them (see killWithThisProcess for the other side).
 */
export function launchKraftNode(classpath: string, dir: string, heap: string, jvmOptions: string[] = []): ChildProcess {
  const out = createWriteStream(join(dir, 'stdout.log'), { flags: 'a' });
  const child = spawn(
    'java',
    [`-Xmx${heap}`, `-Xms${heap}`, ...jvmOptions, `-Dlog4j2.configurationFile=${join(dir, 'log4j2.properties')}`, '-cp', classpath, 'kafka.Kafka', join(dir, 'server.properties')],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  return child;
}

/** The last lines a node logged: what a start-up failure shows. */
export async function kraftLogTail(dir: string): Promise<string> {
  const text = await readFile(join(dir, 'server.log'), 'utf8').catch(() => '');
  const out = await readFile(join(dir, 'stdout.log'), 'utf8').catch(() => '');
  return (text + out).split('\n').slice(-30).join('\n');
}

/** True while the process has not exited. */
export const isRunning = (child: ChildProcess | undefined): boolean => child !== undefined && child.exitCode === null && child.signalCode === null;

export function terminate(child: ChildProcess | undefined, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (child === undefined || !isRunning(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

const FATAL_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * A detached node no longer dies with its terminal's process group, so it
 * is killed when this process exits, and on a fatal signal that nothing else
 * here handles (then the signal is raised again for its default action). When
 * an ordered shutdown listens (cli/commands/shutdown.ts), the signal is left to
 * it: it stops Kafka last, and the exit hook covers whatever it leaves.
 * Returns the function that removes these hooks.
 */
export function killWithThisProcess(kill: () => void): () => void {
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
