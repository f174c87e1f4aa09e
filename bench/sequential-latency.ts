/**
 * Latency of sequential exchanges: one caller, one request at a time, every
 * call a fully authenticated, policy-checked, signed and verified exchange
 * through node → Kafka → connector → Kafka → node. Usage:
 *   node bench/sequential-latency.ts [--count 1000] [--warmup 100]
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadSigningKeyFile } from '../lib/crypto/keys.ts';
import { ExchangeClient } from '../lib/exchange-client.ts';
import { machine, percentiles, startBenchHub, writeResult } from './bench-hub.ts';

const { values } = parseArgs({ options: { count: { type: 'string', default: '1000' }, warmup: { type: 'string', default: '100' } } });
const count = Number(values.count);
const warmup = Number(values.warmup);

const hub = await startBenchHub();
const node = await hub.node('node-1');
await hub.connector('DOPA');
const client = new ExchangeClient(`127.0.0.1:${node.port}`, 'FPO', await loadSigningKeyFile(hub.demo.agencyKeyFile('FPO')), 'node-1', await hub.transport('FPO'));
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
await writeResult('sequential-latency', {
  benchmark: 'sequential-latency',
  date: new Date().toISOString(),
  machine: machine(),
  kafka: hub.kafka.source,
  count,
  wallMs: Math.round(wallMs),
  exchangesPerSecond: Math.round((count / wallMs) * 1000),
  ms: percentiles(latencies),
});
client.close();
await hub.close();
