/**
 * Latency of sequential exchanges: one caller, one request at a time, every
 * call a fully authenticated, policy-checked, signed and verified exchange
 * through node → Kafka → connector → Kafka → node. Usage:
 *   npm run bench -- [--count 1000] [--warmup 100]
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startNode } from '../broker/node.ts';
import { startConnector } from '../connectors/connector.ts';
import { DEMO_DATA, materialiseDemo, REPO_ROOT } from '../cli/demo-setup.ts';
import { loadSigningKeyFile } from '../lib/crypto/keys.ts';
import { ExchangeClient } from '../lib/exchange-client.ts';
import { acquireKafka } from '../lib/kafka/broker-source.ts';
import { createLogger } from '../lib/log.ts';

const { values } = parseArgs({ options: { count: { type: 'string', default: '1000' }, warmup: { type: 'string', default: '100' } } });
const count = Number(values.count);
const warmup = Number(values.warmup);
const log = createLogger('bench', 'warn');

const kafka = await acquireKafka((line) => console.error(line));
const stateDir = await mkdtemp(join(tmpdir(), 'xhub-bench-'));
const demo = await materialiseDemo(stateDir);
const prefix = `bench${Date.now()}.`;
const common = { kafkaBrokers: kafka.brokers, policiesDir: demo.policiesDir, topicPrefix: prefix };
const node = await startNode({ ...common, nodeId: 'node-1', listen: '127.0.0.1:0', hubKeyFile: demo.hubKeyFile, pseudonymKeyFile: demo.pseudonymKeyFile }, log);
const connector = await startConnector(
  { ...common, agencyId: 'DOPA', privateKeyFile: demo.agencyKeyFile('DOPA'), backend: { type: 'file', dir: join(DEMO_DATA, 'DOPA') } },
  { log },
);
const client = new ExchangeClient(`127.0.0.1:${node.port}`, 'FPO', await loadSigningKeyFile(demo.agencyKeyFile('FPO')), 'node-1');
const call = () =>
  client.requestRecord({ subject: '1101700203450', recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() });

for (let i = 0; i < warmup; i++) await call();
const latencies: number[] = [];
const started = performance.now();
for (let i = 0; i < count; i++) {
  const t0 = performance.now();
  await call();
  latencies.push(performance.now() - t0);
  if ((i + 1) % 100 === 0) process.stderr.write(`\r${i + 1}/${count} exchanges`);
}
const wallMs = performance.now() - started;
process.stderr.write('\n');
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)]!;
const result = {
  benchmark: 'sequential-latency',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
  kafka: kafka.source,
  count,
  wallMs: Math.round(wallMs),
  exchangesPerSecond: Math.round((count / wallMs) * 1000),
  ms: { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: latencies.at(-1)!, mean: latencies.reduce((a, b) => a + b, 0) / count },
};
console.log(JSON.stringify(result, (_k, v: unknown) => (typeof v === 'number' ? Math.round(v * 100) / 100 : v), 2));
await mkdir(join(REPO_ROOT, 'bench-results'), { recursive: true });
await writeFile(join(REPO_ROOT, 'bench-results', 'sequential-latency.json'), JSON.stringify(result, null, 2));

client.close();
await node.stop();
await connector.stop();
await kafka.stop();
await rm(stateDir, { recursive: true, force: true });
