import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { startNode, type RunningNode } from '../broker/node.ts';
import { startConnector, type RunningConnector } from '../connectors/connector.ts';
import type { ConnectorConfig } from '../connectors/config.ts';
import { connectorKafkaSettings, nodeKafkaSettings, provisionDemoHub } from '../cli/demo-hub.ts';
import { DEMO_DATA, demoPrincipals, materialiseDemo, REPO_ROOT, type DemoLayout } from '../cli/demo-setup.ts';
import { demoClientTransport, demoNodeTls } from '../cli/demo-tls.ts';
import type { ClientTransport } from '../lib/client-transport.ts';
import { acquireKafka, type KafkaHandle } from '../lib/kafka/broker-source.ts';
import { createLogger } from '../lib/log.ts';

/** Kafka, demo keys and policy, and helpers to start nodes and connectors: what every benchmark needs. */
export interface BenchHub {
  kafka: KafkaHandle;
  demo: DemoLayout;
  node(nodeId: string): Promise<RunningNode>;
  /** Starts an agency's connector, on the demo files unless `backend` (and its `mappings`) say otherwise. */
  connector(agency: string, backend?: Pick<ConnectorConfig, 'backend' | 'mappings'>): Promise<RunningConnector>;
  /** How an agency's client reaches the nodes: mutual TLS with the bench CA, as in production. */
  transport(agency: string): Promise<ClientTransport>;
  close(): Promise<void>;
}

export async function startBenchHub(): Promise<BenchHub> {
  const log = createLogger('bench', process.env.BENCH_LOG_LEVEL ?? 'warn');
  const kafka = await acquireKafka(demoPrincipals(), (line) => console.error(line));
  const stateDir = await mkdtemp(join(tmpdir(), 'xhub-bench-'));
  const demo = await materialiseDemo(stateDir);
  const common = { policiesDir: demo.policiesDir, topicPrefix: `bench${Date.now()}.` };
  await provisionDemoHub(kafka, demo, common.topicPrefix, log);
  const running: { stop(): Promise<void> }[] = [];
  return {
    kafka,
    demo,
    async node(nodeId) {
      const node = await startNode(
        { ...common, ...nodeKafkaSettings(kafka, nodeId), nodeId, listen: '127.0.0.1:0', adminListen: '127.0.0.1:0', hubKeyFile: demo.hubKeyFile, nodeKeyFile: demo.nodeKeyFile(nodeId), pseudonymKeyFile: demo.pseudonymKeyFile, tls: demoNodeTls(demo.tls) },
        log,
      );
      running.push(node);
      return node;
    },
    async connector(agency, backend = { backend: { type: 'file', dir: join(DEMO_DATA, agency) } }) {
      const c = await startConnector({ ...common, ...connectorKafkaSettings(kafka, agency), agencyId: agency, privateKeyFile: demo.agencyKeyFile(agency), ...backend, adminListen: '127.0.0.1:0' }, { log });
      running.push(c);
      return c;
    },
    transport: (agency) => demoClientTransport(demo.tls, agency),
    async close() {
      for (const r of running.reverse()) await r.stop();
      await kafka.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

export function percentiles(samples: number[]): { p50: number; p90: number; p95: number; p99: number; max: number; mean: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return { p50: round(at(0.5)), p90: round(at(0.9)), p95: round(at(0.95)), p99: round(at(0.99)), max: round(sorted.at(-1)!), mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length) };
}

export function machine() {
  return { cpus: cpus().length, model: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
}

/** Prints a result and writes it to bench-results/<name>.json, with the command that produced it (bench/report.ts shows it). */
export async function writeResult(name: string, result: object): Promise<void> {
  const command = ['node', relative(REPO_ROOT, process.argv[1] ?? ''), ...process.argv.slice(2)].join(' ');
  const json = JSON.stringify({ ...result, command }, null, 2);
  console.log(json);
  await mkdir(join(REPO_ROOT, 'bench-results'), { recursive: true });
  await writeFile(join(REPO_ROOT, 'bench-results', `${name}.json`), json);
}
