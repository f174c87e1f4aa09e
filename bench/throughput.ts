/**
 * Throughput and latency of the hub against two baselines, on this machine:
 * Kafka (local), one node and four provider connectors, each in its own
 * process, driven by C concurrent callers; every call a fully authenticated,
 * policy-checked, signed and audited exchange. Baselines: (a) plain kafkajs
 * request-reply with the same durability settings; (b) a plain gRPC unary echo.
 * Writes bench-results/throughput.json and throughput.svg.
 * Usage: node bench/throughput.ts [--seconds 10] [--concurrency 16,64,128] [--single-node]
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connectorKafkaSettings, nodeKafkaSettings, provisionDemoHub } from '../cli/demo-hub.ts';
import { DEMO_DATA, demoPrincipals, materialiseDemo, REPO_ROOT } from '../cli/demo-setup.ts';
import { KAFKA_ADMIN } from '../lib/kafka/principals.ts';
import { demoClientTransport, demoNodeTls } from '../cli/demo-tls.ts';
import { channelCredentials } from '../lib/client-transport.ts';
import { loadSigningKeyFile } from '../lib/crypto/keys.ts';
import { ExchangeClient } from '../lib/exchange-client.ts';
import { acquireKafka } from '../lib/kafka/broker-source.ts';
import { createKafka } from '../lib/kafka/client.ts';
import { createLogger } from '../lib/log.ts';
import { machine, percentiles, writeResult } from './bench-hub.ts';
import { renderChart } from './load/chart.ts';
import { startRequestReply } from './load/kafka-request-reply.ts';
import { processStats, startChild } from './load/processes.ts';
import { runLoad, runOpenLoop, type LoadResult } from './load/run-load.ts';
import { signatureCost } from './load/signature-cost.ts';
import { TokenPool } from './load/token-pool.ts';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '10' }, concurrency: { type: 'string', default: '16,64,128' }, 'single-node': { type: 'boolean', default: false } },
});
const durationMs = Number(values.seconds) * 1000;
const levels = values.concurrency.split(',').map(Number);
const PROVIDERS = ['DOPA', 'RD', 'FPO', 'MOPH'];

const kafkaHandle = await acquireKafka(demoPrincipals(), (line) => console.error(line));
const state = await mkdtemp(join(tmpdir(), 'xhub-throughput-'));
const demo = await materialiseDemo(state);
const prefix = `tp${Date.now()}.`;
await provisionDemoHub(kafkaHandle, demo, prefix, createLogger('bench', 'warn'));
const common = { policiesDir: demo.policiesDir, topicPrefix: prefix };
const config = async (name: string, body: object) => {
  const file = join(state, `${name}.json`);
  await writeFile(file, JSON.stringify(body));
  return file;
};
// The production layout: a node that serves exchanges, and an audit node (the
// sequencer that signs checkpoints, and the query index) beside it. Both run on
// this machine and both are counted. --single-node puts everything in one node.
const nodeKeys = (nodeId: string) => ({ ...nodeKafkaSettings(kafkaHandle, nodeId), nodeId, listen: '127.0.0.1:0', hubKeyFile: demo.hubKeyFile, nodeKeyFile: demo.nodeKeyFile(nodeId), pseudonymKeyFile: demo.pseudonymKeyFile, tls: demoNodeTls(demo.tls), adminListen: '127.0.0.1:0' });
const auditNode = values['single-node']
  ? undefined
  : await startChild(['cli/xhub.ts', 'node', '--config', await config('audit-node', { ...common, ...nodeKeys('audit-1') })], 'exchange node serving', { XHUB_LOG_LEVEL: 'info' });
const servingOnly = values['single-node'] ? {} : { auditQueries: false, auditSequencer: false };
const node = await startChild(
  ['cli/xhub.ts', 'node', '--config', await config('node', { ...common, ...nodeKeys('node-1'), ...servingOnly })],
  'exchange node serving',
  { XHUB_LOG_LEVEL: 'info' },
);
// The gRPC port from the 'serving' line: the admin listener's line names a port too.
const port = Number(/"port":(\d+)[^\n]*exchange node serving/.exec(node.output())?.[1]);
const connectors = await Promise.all(
  PROVIDERS.map(async (agency) =>
    startChild(
      ['cli/xhub.ts', 'connector', '--config', await config(agency, { ...common, ...connectorKafkaSettings(kafkaHandle, agency), agencyId: agency, privateKeyFile: demo.agencyKeyFile(agency), backend: { type: 'memory', dir: join(DEMO_DATA, agency) }, adminListen: '127.0.0.1:0' })],
      'connector consuming',
      { XHUB_LOG_LEVEL: 'info' },
    ),
  ),
);

const keys = { FPO: await loadSigningKeyFile(demo.agencyKeyFile('FPO')), BMA: await loadSigningKeyFile(demo.agencyKeyFile('BMA')) };
const clients = {
  FPO: new ExchangeClient(`127.0.0.1:${port}`, 'FPO', keys.FPO, 'node-1', await demoClientTransport(demo.tls, 'FPO')),
  BMA: new ExchangeClient(`127.0.0.1:${port}`, 'BMA', keys.BMA, 'node-1', await demoClientTransport(demo.tls, 'BMA')),
};
// The load generator shares the machine: build the requests and sign their tokens before each timed run.
const pools = [
  new TokenPool(clients.FPO, () => ({ subject: '1101700203450', recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() })),
  new TokenPool(clients.FPO, () => ({ subject: '1101700203450', recordType: 'rd.income-tax.annual-summary', purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() })),
  new TokenPool(clients.BMA, () => ({ subject: '3100500123458', recordType: 'fpo.welfare-card.status', purpose: 'LOCAL_SERVICE_REGISTRATION', clientRequestId: randomUUID() })),
] as const;
const MAX_EXPECTED_RATE = 3_000;
const fillTokens = async (seconds: number) => {
  const calls = Math.ceil(MAX_EXPECTED_RATE * seconds);
  await Promise.all(pools.map((pool) => pool.fill(Math.ceil(calls / pools.length))));
};
const signedDuringRun = () => pools.reduce((n, pool) => n + pool.signedDuringRun, 0);
const kinds = [
  async () => {
    const { request, token } = await pools[0].take();
    return clients.FPO.requestRecord(request, { token });
  },
  async () => {
    const { request, token } = await pools[1].take();
    return clients.FPO.requestRecord(request, { token });
  },
  async () => {
    const { request, token } = await pools[2].take();
    return clients.BMA.requestRecord(request, { token });
  },
];
const exchange = (i: number) => kinds[i % kinds.length]!();

const progress = (label: string) => (done: number, ms: number) => process.stderr.write(`\r[${label}] ${Math.round(ms / 1000)} s, ${Math.round(done / (ms / 1000))} calls/s   `);
const summary = (r: LoadResult) => ({ perSecond: Math.round(r.completed / r.seconds), completed: r.completed, errors: r.errors, errorCodes: r.errorCodes, latencyMs: percentiles(r.latenciesMs.length ? r.latenciesMs : [0]) });
const pids = { node: node.pid, connectors: connectors.map((c) => c.pid) };
const usage = () => {
  const own = process.cpuUsage();
  return {
    node: processStats(pids.node),
    auditNode: auditNode ? processStats(auditNode.pid) : undefined,
    connectors: pids.connectors.map(processStats),
    kafka: kafkaHandle.pid === undefined ? undefined : processStats(kafkaHandle.pid),
    loadGenerator: (own.user + own.system) / 1e6,
  };
};
/** CPU per exchange (µs) of every process on the machine during a run: where the two cores went. */
const cpuPerExchange = (before: ReturnType<typeof usage>, after: ReturnType<typeof usage>, exchanges: number) => {
  const us = (a: number, b: number) => Math.round(((b - a) * 1e6) / Math.max(1, exchanges));
  const sum = (xs: { cpuSeconds: number }[]) => xs.reduce((s, x) => s + x.cpuSeconds, 0);
  return {
    node: us(before.node.cpuSeconds, after.node.cpuSeconds),
    ...(before.auditNode && after.auditNode ? { auditNode: us(before.auditNode.cpuSeconds, after.auditNode.cpuSeconds) } : {}),
    connectors: us(sum(before.connectors), sum(after.connectors)),
    ...(before.kafka && after.kafka ? { kafka: us(before.kafka.cpuSeconds, after.kafka.cpuSeconds) } : {}),
    loadGenerator: us(before.loadGenerator, after.loadGenerator),
  };
};

// Warm up JITs (Kafka's JVM compiles for several seconds), connections and Kafka.
await fillTokens(10);
await runLoad(exchange, 64, 10_000, progress('warm-up'));
const hubRuns: Record<string, ReturnType<typeof summary> & { nodeCpuPercent: number; connectorsCpuPercent: number; cpuMicrosPerExchange: ReturnType<typeof cpuPerExchange>; tokensSignedDuringRun: number }> = {};
let best: { c: number; result: LoadResult } | undefined;
for (const c of levels) {
  await fillTokens(durationMs / 1000);
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
    cpuMicrosPerExchange: cpuPerExchange(before, after, result.completed),
    tokensSignedDuringRun: signedDuringRun(),
  };
  if (!best || result.completed > best.result.completed) best = { c, result };
}
process.stderr.write('\n');
const maxRate = Math.round(best!.result.completed / best!.result.seconds);

// Latency at half the maximum throughput: an open-loop run at a fixed rate.
const halfRate = Math.max(1, Math.floor(maxRate / 2));
await fillTokens(durationMs / 1000);
const half = await runOpenLoop(exchange, halfRate, durationMs);
const [halfLatencies, halfErrors] = [half.latenciesMs, half.errors];
const peak = usage();
// The baselines run alone: stop the hub so its idle polling does not load Kafka.
clients.FPO.close();
clients.BMA.close();
await Promise.all([node.stop(), ...(auditNode ? [auditNode.stop()] : []), ...connectors.map((c) => c.stop())]);

/** CPU seconds so far of the load generator, Kafka and the given processes: a baseline's whole cost on the machine. */
const baselineCpu = (pids: number[], withKafka = true) => {
  const own = process.cpuUsage();
  const kafkaSeconds = kafkaHandle.pid === undefined || !withKafka ? 0 : processStats(kafkaHandle.pid).cpuSeconds;
  return (own.user + own.system) / 1e6 + kafkaSeconds + pids.reduce((sum, pid) => sum + processStats(pid).cpuSeconds, 0);
};

// Baseline (a): kafkajs request-reply.
// The baseline runs on the same secured broker (TLS, SASL/SCRAM), as the admin.
const kafka = createKafka(kafkaHandle.connection(KAFKA_ADMIN), 'bench-baseline', createLogger('baseline', 'warn'));
const rr = await startRequestReply(kafka, kafkaHandle.brokers, prefix, 3, { caFile: kafkaHandle.caFile, credentialsFile: kafkaHandle.credentialsFile(KAFKA_ADMIN) });
await runLoad(() => rr.call(), 32, 2_000);
const kafkaRuns: Record<string, ReturnType<typeof summary> & { cpuMicrosPerCall: number }> = {};
let kafkaBest: LoadResult | undefined;
let kafkaCpu = 0;
for (const c of levels) {
  const before = baselineCpu([rr.responderPid]);
  const r = await runLoad(() => rr.call(), c, durationMs, progress(`kafka request-reply C=${c}`));
  const micros = Math.round(((baselineCpu([rr.responderPid]) - before) * 1e6) / Math.max(1, r.completed));
  kafkaRuns[`C=${c}`] = { ...summary(r), cpuMicrosPerCall: micros };
  if (!kafkaBest || r.completed > kafkaBest.completed) [kafkaBest, kafkaCpu] = [r, micros];
}
await rr.stop();
process.stderr.write('\n');

// Baseline (b): gRPC unary echo.
// Over the same mutual TLS as the node, so the baseline pays what the hub's transport pays.
const echo = await startChild(['bench/load/echo-main.ts', demo.tls.serverCertFile, demo.tls.serverKeyFile, demo.tls.caFile], 'echo ready');
const echoPort = Number(/echo ready on (\d+)/.exec(echo.output())?.[1]);
const { exchangeService } = await import('../lib/proto.ts');
const EchoClient = exchangeService().Client;
const echoClient = new EchoClient(`127.0.0.1:${echoPort}`, channelCredentials(await demoClientTransport(demo.tls, 'FPO'))) as unknown as { RequestRecord: (r: object, cb: (e: Error | null) => void) => void; close(): void };
const echoCall = () => new Promise<void>((resolve, reject) => echoClient.RequestRecord({ subject: '1101700203450' }, (e) => (e ? reject(e) : resolve())));
const echoRuns: Record<string, ReturnType<typeof summary> & { cpuMicrosPerCall: number }> = {};
let echoBest: LoadResult | undefined;
await runLoad(echoCall, 32, 2_000);
let echoCpu = 0;
for (const c of levels) {
  const before = baselineCpu([echo.pid], false);
  const r = await runLoad(echoCall, c, durationMs, progress(`grpc echo C=${c}`));
  const micros = Math.round(((baselineCpu([echo.pid], false) - before) * 1e6) / Math.max(1, r.completed));
  echoRuns[`C=${c}`] = { ...summary(r), cpuMicrosPerCall: micros };
  if (!echoBest || r.completed > echoBest.completed) [echoBest, echoCpu] = [r, micros];
}
echoClient.close();
await echo.stop();
process.stderr.write('\n');

const rate = (r: LoadResult) => Math.round(r.completed / r.seconds);

// What an exchange cannot do without: its five signature operations, a gRPC
// call and a Kafka request-reply, each at its measured CPU cost on this machine.
const signatures = await signatureCost();
const cores = availableParallelism();
// A lower bound: each operation at its cheapest (the baselines' best runs, where
// batching spreads fixed costs; driven at the hub's lower rate their fixed and
// idle costs dominate and the figure means little).
const floorMicros = signatures.perExchangeMicros + echoCpu + kafkaCpu;
const bestRun = hubRuns[`C=${best!.c}`]!.cpuMicrosPerExchange;
const limits = {
  cores,
  signatureMicros: signatures,
  grpcCallMicros: echoCpu,
  kafkaRequestReplyMicros: kafkaCpu,
  kafkaCounted: kafkaHandle.pid !== undefined,
  floorMicrosPerExchange: floorMicros,
  ceilingExchangesPerSecond: Math.round((cores * 1e6) / floorMicros),
  hubMicrosPerExchangeAtMax: { ...bestRun, total: Object.values(bestRun).reduce((a, b) => a + b, 0) },
};
const result = {
  benchmark: 'throughput',
  date: new Date().toISOString(),
  machine: machine(),
  kafka: kafkaHandle.source,
  layout: auditNode ? 'exchange node + audit node' : 'single node',
  secondsPerRun: durationMs / 1000,
  hub: {
    runs: hubRuns,
    maxExchangesPerSecond: maxRate,
    atConcurrency: best!.c,
    halfMaxRate: { rate: halfRate, errors: halfErrors, latencyMs: percentiles(halfLatencies.length ? halfLatencies : [0]) },
    peakRssMiB: { node: peak.node.peakRssMiB, ...(peak.auditNode ? { auditNode: peak.auditNode.peakRssMiB } : {}), connectors: Math.max(...peak.connectors.map((c) => c.peakRssMiB)) },
  },
  baselines: {
    kafkaRequestReply: { runs: kafkaRuns, max: rate(kafkaBest!) },
    grpcEcho: { runs: echoRuns, max: rate(echoBest!) },
  },
  limits,
  ratios: { hubToKafkaRequestReply: Math.round((maxRate / rate(kafkaBest!)) * 1000) / 1000, hubToGrpcEcho: Math.round((maxRate / rate(echoBest!)) * 1000) / 1000 },
  targets: { exchangesPerSecond: 2000, p99AtHalfMaxMs: 25, minShareOfKafkaRequestReply: 0.6 },
};
await writeResult('throughput', result);
const fmt = (n: number) => n.toLocaleString('en-US');
console.error(
  [
    '',
    ...Object.entries(hubRuns).map(
      ([level, r]) =>
        `hub ${level}: ${fmt(r.perSecond)}/s, latency p50 ${r.latencyMs.p50.toFixed(1)} / p95 ${r.latencyMs.p95.toFixed(1)} / p99 ${r.latencyMs.p99.toFixed(1)} / max ${r.latencyMs.max.toFixed(1)} ms, ${r.errors} errors, node ${r.nodeCpuPercent} % of a core, connectors ${r.connectorsCpuPercent} %`,
    ),
    `hub maximum: ${fmt(maxRate)} exchanges/s at C=${best!.c}; at half (${fmt(halfRate)}/s) p50 ${result.hub.halfMaxRate.latencyMs.p50.toFixed(1)} ms, p99 ${result.hub.halfMaxRate.latencyMs.p99.toFixed(1)} ms`,
    `baselines: kafkajs request-reply ${fmt(result.baselines.kafkaRequestReply.max)}/s (ratio ${result.ratios.hubToKafkaRequestReply}), gRPC echo ${fmt(result.baselines.grpcEcho.max)}/s (ratio ${result.ratios.hubToGrpcEcho})`,
    `CPU per exchange at the maximum (µs): ${Object.entries(limits.hubMicrosPerExchangeAtMax).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`,
    `floor per exchange, a lower bound (µs): signatures ${limits.signatureMicros.perExchangeMicros} (sign ${limits.signatureMicros.signMicros}, verify ${limits.signatureMicros.verifyMicros}) + gRPC call ${echoCpu} + Kafka request-reply ${kafkaCpu} (each baseline at its best) = ${floorMicros}; ceiling on ${cores} cores ${fmt(limits.ceilingExchangesPerSecond)}/s`,
    ...(limits.kafkaCounted ? [] : ['Kafka is not a local process here (Docker or KAFKA_BROKERS): its CPU is not counted above']),
  ].join('\n'),
);
const out = join(REPO_ROOT, 'bench-results');
const series = [
  ...best!.result.perSecond.map((v, second) => ({ run: `hub C=${best!.c}`, second, perSecond: v })),
  ...kafkaBest!.perSecond.map((v, second) => ({ run: 'kafkajs request-reply', second, perSecond: v })),
];
const sample = (xs: number[], run: string) => xs.filter((_, i) => i % Math.max(1, Math.floor(xs.length / 5000)) === 0).map((ms) => ({ run, ms: Math.round(ms * 10) / 10 }));
await writeFile(join(out, 'throughput.svg'), await renderChart(series, [...sample(best!.result.latenciesMs, `hub C=${best!.c}`), ...sample(halfLatencies, `hub at ${halfRate}/s`)]));
console.error(`wrote ${join(out, 'throughput.json')} and throughput.svg`);

await kafkaHandle.stop();
await rm(state, { recursive: true, force: true });
