/**
 * Throughput and latency of the hub against two baselines, on this machine:
 * Kafka (local), one node and four provider connectors, each in its own
 * process, driven by C concurrent callers; every call a fully authenticated,
 * policy-checked, signed and audited exchange. Baselines: (a) plain kafkajs
 * request-reply with the same durability settings; (b) a plain gRPC unary echo.
 * Writes bench-results/throughput.json and throughput.svg.
 * Usage: npx tsx bench/throughput.ts [--seconds 10] [--concurrency 16,64,128]
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_DATA, materialiseDemo, REPO_ROOT } from '../cli/demo-setup.ts';
import { loadSigningKeyFile } from '../lib/crypto/keys.ts';
import { ExchangeClient } from '../lib/exchange-client.ts';
import { acquireKafka } from '../lib/kafka/broker-source.ts';
import { createKafka } from '../lib/kafka/client.ts';
import { createLogger } from '../lib/log.ts';
import { machine, percentiles } from './bench-hub.ts';
import { renderChart } from './load/chart.ts';
import { startRequestReply } from './load/kafka-request-reply.ts';
import { processStats, startChild } from './load/processes.ts';
import { runLoad, type LoadResult } from './load/run-load.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, concurrency: { type: 'string', default: '16,64,128' } } });
const durationMs = Number(values.seconds) * 1000;
const levels = values.concurrency.split(',').map(Number);
const PROVIDERS = ['DOPA', 'RD', 'FPO', 'MOPH'];

const kafkaHandle = await acquireKafka((line) => console.error(line));
const state = await mkdtemp(join(tmpdir(), 'xhub-throughput-'));
const demo = await materialiseDemo(state);
const prefix = `tp${Date.now()}.`;
const common = { kafkaBrokers: kafkaHandle.brokers, policiesDir: demo.policiesDir, topicPrefix: prefix };
const config = async (name: string, body: object) => {
  const file = join(state, `${name}.json`);
  await writeFile(file, JSON.stringify(body));
  return file;
};
const node = await startChild(
  ['cli/xhub.ts', 'node', '--config', await config('node', { ...common, nodeId: 'node-1', listen: '127.0.0.1:0', hubKeyFile: demo.hubKeyFile, pseudonymKeyFile: demo.pseudonymKeyFile })],
  'exchange node serving',
  { XHUB_LOG_LEVEL: 'info' },
);
const port = Number(/"port":(\d+)/.exec(node.output())?.[1]);
const connectors = await Promise.all(
  PROVIDERS.map(async (agency) =>
    startChild(
      ['cli/xhub.ts', 'connector', '--config', await config(agency, { ...common, agencyId: agency, privateKeyFile: demo.agencyKeyFile(agency), backend: { type: 'memory', dir: join(DEMO_DATA, agency) } })],
      'connector consuming',
      { XHUB_LOG_LEVEL: 'info' },
    ),
  ),
);

const clients = {
  FPO: new ExchangeClient(`127.0.0.1:${port}`, 'FPO', await loadSigningKeyFile(demo.agencyKeyFile('FPO')), 'node-1'),
  BMA: new ExchangeClient(`127.0.0.1:${port}`, 'BMA', await loadSigningKeyFile(demo.agencyKeyFile('BMA')), 'node-1'),
};
const kinds = [
  () => clients.FPO.requestRecord({ subject: '1101700203450', recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() }),
  () => clients.FPO.requestRecord({ subject: '1101700203450', recordType: 'rd.income-tax.annual-summary', purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() }),
  () => clients.BMA.requestRecord({ subject: '3100500123458', recordType: 'fpo.welfare-card.status', purpose: 'LOCAL_SERVICE_REGISTRATION', clientRequestId: randomUUID() }),
];
const exchange = (i: number) => kinds[i % kinds.length]!();

const progress = (label: string) => (done: number, ms: number) => process.stderr.write(`\r[${label}] ${Math.round(ms / 1000)} s, ${Math.round(done / (ms / 1000))} calls/s   `);
const summary = (r: LoadResult) => ({ perSecond: Math.round(r.completed / r.seconds), completed: r.completed, errors: r.errors, errorCodes: r.errorCodes, latencyMs: percentiles(r.latenciesMs.length ? r.latenciesMs : [0]) });
const pids = { node: node.pid, connectors: connectors.map((c) => c.pid) };
const usage = () => ({ node: processStats(pids.node), connectors: pids.connectors.map(processStats) });

// Warm up JITs, connections and Kafka.
await runLoad(exchange, 32, 3_000);
const hubRuns: Record<string, ReturnType<typeof summary> & { nodeCpuPercent: number; connectorsCpuPercent: number }> = {};
let best: { c: number; result: LoadResult } | undefined;
for (const c of levels) {
  const before = usage();
  const t0 = performance.now();
  const result = await runLoad(exchange, c, durationMs, progress(`hub C=${c}`));
  const seconds = (performance.now() - t0) / 1000;
  const after = usage();
  const cpu = (a: number, b: number) => Math.round(((b - a) / seconds) * 100);
  hubRuns[`C=${c}`] = {
    ...summary(result),
    nodeCpuPercent: cpu(before.node.cpuSeconds, after.node.cpuSeconds),
    connectorsCpuPercent: cpu(before.connectors.reduce((s, x) => s + x.cpuSeconds, 0), after.connectors.reduce((s, x) => s + x.cpuSeconds, 0)),
  };
  if (!best || result.completed > best.result.completed) best = { c, result };
}
process.stderr.write('\n');
const maxRate = Math.round(best!.result.completed / best!.result.seconds);

// Latency at half the maximum throughput: an open-loop run at a fixed rate.
const halfRate = Math.max(1, Math.floor(maxRate / 2));
const halfLatencies: number[] = [];
let halfErrors = 0;
{
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  let sent = 0;
  while (performance.now() - started < durationMs) {
    const due = Math.floor(((performance.now() - started) / 1000) * halfRate);
    for (; sent < due; sent++) {
      const t0 = performance.now();
      inFlight.push(exchange(sent).then(() => void halfLatencies.push(performance.now() - t0), () => void halfErrors++));
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await Promise.all(inFlight);
}
const peak = usage();

// Baseline (a): kafkajs request-reply.
const kafka = createKafka(kafkaHandle.brokers, 'bench-baseline', createLogger('baseline', 'warn'));
const rr = await startRequestReply(kafka, kafkaHandle.brokers, prefix, 3);
await runLoad(() => rr.call(), 32, 2_000);
const kafkaRuns: Record<string, ReturnType<typeof summary>> = {};
let kafkaBest: LoadResult | undefined;
for (const c of levels) {
  const r = await runLoad(() => rr.call(), c, durationMs, progress(`kafka request-reply C=${c}`));
  kafkaRuns[`C=${c}`] = summary(r);
  if (!kafkaBest || r.completed > kafkaBest.completed) kafkaBest = r;
}
await rr.stop();
process.stderr.write('\n');

// Baseline (b): gRPC unary echo.
const echo = await startChild(['bench/load/echo-main.ts'], 'echo ready');
const echoPort = Number(/echo ready on (\d+)/.exec(echo.output())?.[1]);
const grpc = await import('@grpc/grpc-js');
const { exchangeService } = await import('../lib/proto.ts');
const EchoClient = exchangeService().Client;
const echoClient = new EchoClient(`127.0.0.1:${echoPort}`, grpc.credentials.createInsecure()) as unknown as { RequestRecord: (r: object, cb: (e: Error | null) => void) => void; close(): void };
const echoCall = () => new Promise<void>((resolve, reject) => echoClient.RequestRecord({ subject: '1101700203450' }, (e) => (e ? reject(e) : resolve())));
const echoRuns: Record<string, ReturnType<typeof summary>> = {};
let echoBest: LoadResult | undefined;
for (const c of levels) {
  const r = await runLoad(echoCall, c, durationMs, progress(`grpc echo C=${c}`));
  echoRuns[`C=${c}`] = summary(r);
  if (!echoBest || r.completed > echoBest.completed) echoBest = r;
}
echoClient.close();
await echo.stop();
process.stderr.write('\n');

const rate = (r: LoadResult) => Math.round(r.completed / r.seconds);
const result = {
  benchmark: 'throughput',
  date: new Date().toISOString(),
  machine: machine(),
  kafka: kafkaHandle.source,
  secondsPerRun: durationMs / 1000,
  hub: {
    runs: hubRuns,
    maxExchangesPerSecond: maxRate,
    atConcurrency: best!.c,
    halfMaxRate: { rate: halfRate, errors: halfErrors, latencyMs: percentiles(halfLatencies.length ? halfLatencies : [0]) },
    peakRssMiB: { node: peak.node.peakRssMiB, connectors: Math.max(...peak.connectors.map((c) => c.peakRssMiB)) },
  },
  baselines: {
    kafkaRequestReply: { runs: kafkaRuns, max: rate(kafkaBest!) },
    grpcEcho: { runs: echoRuns, max: rate(echoBest!) },
  },
  ratios: { hubToKafkaRequestReply: Math.round((maxRate / rate(kafkaBest!)) * 1000) / 1000, hubToGrpcEcho: Math.round((maxRate / rate(echoBest!)) * 1000) / 1000 },
  targets: { exchangesPerSecond: 2000, p99AtHalfMaxMs: 25, minShareOfKafkaRequestReply: 0.6 },
};
console.log(JSON.stringify(result, null, 2));
const out = join(REPO_ROOT, 'bench-results');
await mkdir(out, { recursive: true });
await writeFile(join(out, 'throughput.json'), JSON.stringify(result, null, 2));
const series = [
  ...best!.result.perSecond.map((v, second) => ({ run: `hub C=${best!.c}`, second, perSecond: v })),
  ...kafkaBest!.perSecond.map((v, second) => ({ run: 'kafkajs request-reply', second, perSecond: v })),
];
const sample = (xs: number[], run: string) => xs.filter((_, i) => i % Math.max(1, Math.floor(xs.length / 5000)) === 0).map((ms) => ({ run, ms: Math.round(ms * 10) / 10 }));
await writeFile(join(out, 'throughput.svg'), await renderChart(series, [...sample(best!.result.latenciesMs, `hub C=${best!.c}`), ...sample(halfLatencies, `hub at ${halfRate}/s`)]));
console.error(`wrote ${join(out, 'throughput.json')} and throughput.svg`);

clients.FPO.close();
clients.BMA.close();
await Promise.all([node.stop(), ...connectors.map((c) => c.stop())]);
await kafkaHandle.stop();
await rm(state, { recursive: true, force: true });
