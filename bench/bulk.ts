/**
 * Bulk exchange (Exchange.RequestRecords) on this machine: Kafka (local,
 * TLS + SASL + ACLs), an exchange node, an audit node and DOPA's connector,
 * each in its own process; one consumer streams N citizens for one record
 * type and purpose. Every record is decided, consent-checked, audited
 * (durable before it is answered) and proven by the provider's batch
 * signature, as in the product. Reports records/s, latency to the first
 * result, and CPU per record of every process.
 * Writes bench-results/bulk.json.
 * Usage: node bench/bulk.ts [--records 20000] [--batch-size 256] [--jobs 1]
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { provisionDemoHub } from '../cli/demo-hub.ts';
import { hubProcesses } from './load/hub-processes.ts';
import { DEMO_DATA, demoPrincipals, materialiseDemo } from '../cli/demo-setup.ts';
import { demoClientTransport } from '../cli/demo-tls.ts';
import { withCheckDigit } from '../lib/citizen-id.ts';
import { loadSigningKeyFile } from '../lib/crypto/keys.ts';
import { ExchangeClient } from '../lib/exchange-client.ts';
import { acquireKafka } from '../lib/kafka/broker-source.ts';
import { createLogger } from '../lib/log.ts';
import { machine, writeResult } from './bench-hub.ts';
import { processStats } from './load/processes.ts';

const { values } = parseArgs({ options: { records: { type: 'string', default: '20000' }, 'batch-size': { type: 'string', default: '256' }, jobs: { type: 'string', default: '1' } } });
const records = Number(values.records);
const batchSize = Number(values['batch-size']);
const jobs = Number(values.jobs);
const PERSON = 'dopa.civil-registration.person';

const kafkaHandle = await acquireKafka(demoPrincipals(), (line) => console.error(line));
const state = await mkdtemp(join(tmpdir(), 'xhub-bulk-bench-'));
const demo = await materialiseDemo(state);
const prefix = `bk${Date.now()}.`;
await provisionDemoHub(kafkaHandle, demo, prefix, createLogger('bench', 'warn'));

// DOPA's registry for a crowd: one record per citizen, held in memory by the connector.
const people = Array.from({ length: records * 2 }, (_, i) => withCheckDigit(`1${String(100_000_000_00 + i).padStart(11, '0')}`));
const registry = join(state, 'dopa-registry');
await mkdir(join(registry, PERSON), { recursive: true });
const template = JSON.parse(await readFile(join(DEMO_DATA, 'DOPA', PERSON, '3100500123458.json'), 'utf8')) as Record<string, unknown>;
// In chunks: tens of thousands of files opened at once exhaust the file descriptors.
for (let i = 0; i < people.length; i += 500) {
  await Promise.all(people.slice(i, i + 500).map((p) => writeFile(join(registry, PERSON, `${p}.json`), JSON.stringify({ ...template, lastNameTh: `ทดสอบ${p.slice(-4)}` }))));
}

const hub = hubProcesses(kafkaHandle, demo, prefix, state);
const { child: auditNode } = await hub.node('audit-1');
const { child: node, port } = await hub.node('node-1', { auditQueries: false, auditSequencer: false });
const connector = await hub.connector('DOPA', registry, 120_000);
const client = new ExchangeClient(`127.0.0.1:${port}`, 'FPO', await loadSigningKeyFile(demo.agencyKeyFile('FPO')), 'node-1', await demoClientTransport(demo.tls, 'FPO'));

/** Runs `count` subjects from `from` as `n` concurrent jobs; returns when each first result came and the totals. */
async function run(from: number, count: number, n: number) {
  const t0 = performance.now();
  let first = Infinity;
  const tally = { delivered: 0, failed: 0, codes: {} as Record<string, number> };
  const per = Math.ceil(count / n);
  await Promise.all(
    Array.from({ length: n }, async (_, j) => {
      const subjects = people.slice(from + j * per, from + Math.min(count, (j + 1) * per)).map((subject, index) => ({ index, subject }));
      for await (const m of client.requestRecords({ jobId: randomUUID(), recordType: PERSON, purpose: 'WELFARE_ELIGIBILITY', batchSize }, subjects)) {
        if (!m.results) continue;
        first = Math.min(first, performance.now() - t0);
        for (const r of m.results.items) {
          if (r.status === 'DELIVERED') tally.delivered++;
          else {
            tally.failed++;
            tally.codes[r.errorCode] = (tally.codes[r.errorCode] ?? 0) + 1;
          }
        }
      }
    }),
  );
  return { seconds: (performance.now() - t0) / 1000, firstResultMs: first, ...tally };
}

const cpu = () => ({ node: processStats(node.pid).cpuSeconds, auditNode: processStats(auditNode.pid).cpuSeconds, connector: processStats(connector.pid).cpuSeconds, kafka: kafkaHandle.pid === undefined ? 0 : processStats(kafkaHandle.pid).cpuSeconds, loadGenerator: (process.cpuUsage().user + process.cpuUsage().system) / 1e6 });

// Warm up: JITs, connections, Kafka's JVM.
await run(records, Math.min(records, 4000), jobs);
const before = cpu();
const timed = await run(0, records, jobs);
const after = cpu();
const perRecord = Object.fromEntries(Object.entries(after).map(([k, v]) => [k, Math.round(((v - before[k as keyof typeof before]) * 1e6) / Math.max(1, timed.delivered))]));
const total = Object.values(perRecord).reduce((a, b) => a + b, 0);
const recordsPerSecond = Math.round(timed.delivered / timed.seconds);
const result = {
  benchmark: 'bulk',
  date: new Date().toISOString(),
  machine: machine(),
  kafka: kafkaHandle.source,
  layout: 'exchange node + audit node + DOPA connector (memory backend)',
  records,
  batchSize,
  jobs,
  recordsPerSecond,
  firstResultMs: Math.round(timed.firstResultMs),
  delivered: timed.delivered,
  failed: timed.failed,
  errorCodes: timed.codes,
  cpuMicrosPerRecord: { ...perRecord, total },
  target: { recordsPerSecond: 20_000, met: recordsPerSecond >= 20_000 },
};
await writeResult('bulk', result);
console.error(
  [
    `bulk: ${records.toLocaleString('en-US')} records in ${timed.seconds.toFixed(1)} s as ${jobs} job(s), batch ${batchSize}: ${recordsPerSecond.toLocaleString('en-US')} records/s, first result after ${Math.round(timed.firstResultMs)} ms, ${timed.failed} failed`,
    `CPU per record (µs): ${Object.entries(perRecord).map(([k, v]) => `${k} ${v}`).join(', ')}, total ${total}`,
    `target >= 20,000 records/s: ${result.target.met ? 'met' : 'not met'}`,
  ].join('\n'),
);
client.close();
await Promise.all([node.stop(), auditNode.stop(), connector.stop()]);
await kafkaHandle.stop();
await rm(state, { recursive: true, force: true });
