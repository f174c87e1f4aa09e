/**
 * Throughput and latency of the hub against two baselines, on this machine:
 * Kafka (local), one node and four provider connectors, each in its own
 * process, driven by C concurrent callers; every call a fully authenticated,
 * policy-checked, signed and audited exchange. Baselines: (a) plain kafkajs
 * request-reply with the same durability settings; (b) a plain gRPC unary echo.
 * Closed loop at each concurrency C (the maximum, CPU per exchange per
 * process), then open loop at fixed shares of that maximum (latency timed from
 * when each call was due), then the baselines, the floor and the ceiling.
 * Writes bench-results/throughput.json, throughput.svg (throughput over time,
 * latency distribution) and throughput-latency.svg (latency against
 * throughput); `node bench/report.ts` prints the figures as a Markdown table.
 * Usage: node bench/throughput.ts [--seconds 10] [--concurrency 16,64,128]
 *   [--open-loop 25,50] (percentages of the maximum) [--single-node]
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { provisionDemoHub } from '../cli/demo-hub.ts';
import { hubProcesses } from './load/hub-processes.ts';
import { DEMO_DATA, demoPrincipals, materialiseDemo, REPO_ROOT } from '../cli/demo-setup.ts';
import { KAFKA_ADMIN } from '../lib/kafka/principals.ts';
import { demoClientTransport } from '../cli/demo-tls.ts';
import { channelCredentials } from '../lib/client-transport.ts';
import { loadSigningKeyFile } from '../lib/crypto/keys.ts';
import { ExchangeClient } from '../lib/exchange-client.ts';
import { acquireKafka } from '../lib/kafka/broker-source.ts';
import { createKafka } from '../lib/kafka/client.ts';
import { createLogger } from '../lib/log.ts';
import { machine, percentiles, writeResult } from './bench-hub.ts';
import { latencyPoints, renderChart, renderLatencyChart } from './load/chart.ts';
import { cpuText, fmt, latencyText, measuredText, ms, P99_TARGET_LINE, TARGETS, verdict, type Target } from './load/figures.ts';
import { startRequestReply } from './load/kafka-request-reply.ts';
import { jitCompilerSeconds, processStats, startChild } from './load/processes.ts';
import { runLoad, runOpenLoop, type LoadResult, type OpenLoopResult } from './load/run-load.ts';
import { signatureCost } from './load/signature-cost.ts';
import { TokenPool } from './load/token-pool.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '16,64,128' },
    'open-loop': { type: 'string', default: '25,50' },
    'single-node': { type: 'boolean', default: false },
  },
});
const durationMs = Number(values.seconds) * 1000;
const numbers = (list: string, option: string) => {
  const xs = list.split(',').map(Number);
  if (xs.some((x) => !Number.isFinite(x) || x <= 0)) throw new Error(`--${option} takes positive numbers separated by commas, not "${list}"`);
  return xs;
};
const levels = numbers(values.concurrency, 'concurrency');
/** Open-loop rates, as percentages of the measured maximum, lowest first. */
const openLoopPercents = [...new Set(numbers(values['open-loop'], 'open-loop'))].sort((a, b) => a - b);
const PROVIDERS = ['DOPA', 'RD', 'FPO', 'MOPH'];

const kafkaHandle = await acquireKafka(demoPrincipals(), (line) => console.error(line));
const state = await mkdtemp(join(tmpdir(), 'xhub-throughput-'));
const demo = await materialiseDemo(state);
const prefix = `tp${Date.now()}.`;
await provisionDemoHub(kafkaHandle, demo, prefix, createLogger('bench', 'warn'));
const hub = hubProcesses(kafkaHandle, demo, prefix, state);
// The production layout: a node that serves exchanges, and an audit node (the
// sequencer that signs checkpoints, and the query index) beside it. Both run on
// this machine and both are counted. --single-node puts everything in one node.
const auditNode = values['single-node'] ? undefined : (await hub.node('audit-1')).child;
const served = await hub.node('node-1', values['single-node'] ? {} : { auditQueries: false, auditSequencer: false });
const { child: node, port } = served;
const connectors = await Promise.all(PROVIDERS.map((agency) => hub.connector(agency, join(DEMO_DATA, agency))));

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
/** Tops the token pools up for a run of `runMs` at up to `perSecond` exchanges/s (outside the timed run). */
const fillTokens = async (perSecond: number, runMs: number) => {
  const calls = Math.ceil(((perSecond * runMs) / 1000) * 1.05) + 100;
  await Promise.all(pools.map((pool) => pool.fill(Math.ceil(calls / pools.length), runMs)));
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
/** Latency percentiles of the calls that completed; null when none did (not a row of zeros). */
const latency = (ms: number[]) => (ms.length ? percentiles(ms) : null);
const summary = (r: LoadResult) => ({ perSecond: rate(r), completed: r.completed, errors: r.errors, errorCodes: r.errorCodes, latencyMs: latency(r.latenciesMs) });
const rate = (r: LoadResult) => Math.round(r.completed / r.seconds);
/** Whether run `a` went faster than `b`: by rate, not by calls completed (a run's drain, longer at high concurrency, adds calls and time). */
const faster = (a: LoadResult, b: LoadResult) => a.completed / a.seconds > b.completed / b.seconds;
const pids = { node: node.pid, connectors: connectors.map((c) => c.pid) };
const usage = () => {
  const own = process.cpuUsage();
  return {
    node: processStats(pids.node),
    auditNode: auditNode ? processStats(auditNode.pid) : undefined,
    connectors: pids.connectors.map(processStats),
    kafka: kafkaHandle.pid === undefined ? undefined : processStats(kafkaHandle.pid),
    kafkaJit: kafkaJit(),
    loadGenerator: (own.user + own.system) / 1e6,
  };
};
/** CPU per exchange (µs) of every process on the machine during a run, and their total: where the two cores went. */
const cpuPerExchange = (before: ReturnType<typeof usage>, after: ReturnType<typeof usage>, exchanges: number) => {
  const us = (a: number, b: number) => Math.round(((b - a) * 1e6) / Math.max(1, exchanges));
  const sum = (xs: { cpuSeconds: number }[]) => xs.reduce((s, x) => s + x.cpuSeconds, 0);
  const each = {
    node: us(before.node.cpuSeconds, after.node.cpuSeconds),
    ...(before.auditNode && after.auditNode ? { auditNode: us(before.auditNode.cpuSeconds, after.auditNode.cpuSeconds) } : {}),
    connectors: us(sum(before.connectors), sum(after.connectors)),
    ...(before.kafka && after.kafka ? { kafka: us(before.kafka.cpuSeconds, after.kafka.cpuSeconds) } : {}),
    loadGenerator: us(before.loadGenerator, after.loadGenerator),
  };
  const total = Object.values(each).reduce((a, b) => a + b, 0);
  // Part of Kafka's figure, not added to the total: what its JIT compiler threads spent (a young broker still compiling).
  return { ...each, total, ...(before.kafka && after.kafka ? { kafkaJit: us(before.kafkaJit, after.kafkaJit) } : {}) };
};

// Warm up JITs, connections and Kafka. A broker in service compiled its hot
// code long ago; a fresh one keeps its JIT compiler threads busy for minutes,
// and that CPU would be billed to every exchange of the runs below. So warm up
// for at least WARM_UP_MIN_MS, then on until Kafka's compiler threads use under
// JIT_SETTLED of a core (at most WARM_UP_MAX_MS; the result says where it stood).
const WARM_UP_MIN_MS = 10_000;
const WARM_UP_STEP_MS = 5_000;
const WARM_UP_MAX_MS = 90_000;
const JIT_SETTLED = 0.05;
const kafkaJit = () => (kafkaHandle.pid === undefined ? 0 : jitCompilerSeconds(kafkaHandle.pid));
const warmUp = { seconds: 0, kafkaJitCoreShare: null as number | null };
for (;;) {
  await fillTokens(MAX_EXPECTED_RATE, WARM_UP_STEP_MS);
  const jit0 = kafkaJit();
  const t0 = performance.now();
  await runLoad(exchange, 64, WARM_UP_STEP_MS, progress('warm-up'));
  const seconds = (performance.now() - t0) / 1000;
  warmUp.seconds += seconds;
  if (kafkaHandle.pid !== undefined) warmUp.kafkaJitCoreShare = Math.round(((kafkaJit() - jit0) / seconds) * 1000) / 1000;
  const settled = warmUp.kafkaJitCoreShare === null || warmUp.kafkaJitCoreShare < JIT_SETTLED;
  if ((settled && warmUp.seconds * 1000 >= WARM_UP_MIN_MS) || warmUp.seconds * 1000 >= WARM_UP_MAX_MS) break;
}
warmUp.seconds = Math.round(warmUp.seconds);
process.stderr.write(`\n[warm-up] ${warmUp.seconds} s; Kafka's JIT compiler threads used ${warmUp.kafkaJitCoreShare ?? 'n/a'} of a core in the last ${WARM_UP_STEP_MS / 1000} s\n`);
const hubRuns: Record<string, ReturnType<typeof summary> & { nodeCpuPercent: number; connectorsCpuPercent: number; cpuMicrosPerExchange: ReturnType<typeof cpuPerExchange>; tokensSignedDuringRun: number }> = {};
let best: { c: number; result: LoadResult } | undefined;
for (const c of levels) {
  await fillTokens(MAX_EXPECTED_RATE, durationMs);
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
  if (!best || faster(result, best.result)) best = { c, result };
}
process.stderr.write('\n');
const maxRate = rate(best!.result);

// Latency at fractions of the maximum: open-loop runs at fixed rates, each
// call timed from when it was due, calls still in flight at the end awaited.
const openLoop: (Omit<OpenLoopResult, 'latenciesMs' | 'achievedPerSecond' | 'seconds'> & {
  percentOfMax: number;
  achievedPerSecond: number;
  seconds: number;
  latencyMs: ReturnType<typeof latency>;
  cpuMicrosPerExchange: ReturnType<typeof cpuPerExchange>;
  tokensSignedDuringRun: number;
})[] = [];
const openLoopLatencies = new Map<number, number[]>();
for (const percent of openLoopPercents) {
  const rate = Math.max(1, Math.round((maxRate * percent) / 100));
  await fillTokens(rate, durationMs);
  const before = usage();
  const { latenciesMs, achievedPerSecond, seconds, ...r } = await runOpenLoop(exchange, rate, durationMs, progress(`hub open loop ${percent} % of max, ${rate}/s`));
  const after = usage();
  openLoopLatencies.set(percent, latenciesMs);
  openLoop.push({
    percentOfMax: percent,
    ...r,
    achievedPerSecond: Math.round(achievedPerSecond),
    seconds: Math.round(seconds * 100) / 100,
    latencyMs: latency(latenciesMs),
    cpuMicrosPerExchange: cpuPerExchange(before, after, r.completed),
    tokensSignedDuringRun: signedDuringRun(),
  });
}
process.stderr.write('\n');
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
for (const c of levels) {
  const before = baselineCpu([rr.responderPid]);
  const r = await runLoad(() => rr.call(), c, durationMs, progress(`kafka request-reply C=${c}`));
  const micros = Math.round(((baselineCpu([rr.responderPid]) - before) * 1e6) / Math.max(1, r.completed));
  kafkaRuns[`C=${c}`] = { ...summary(r), cpuMicrosPerCall: micros };
  if (!kafkaBest || faster(r, kafkaBest)) kafkaBest = r;
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
for (const c of levels) {
  const before = baselineCpu([echo.pid], false);
  const r = await runLoad(echoCall, c, durationMs, progress(`grpc echo C=${c}`));
  const micros = Math.round(((baselineCpu([echo.pid], false) - before) * 1e6) / Math.max(1, r.completed));
  echoRuns[`C=${c}`] = { ...summary(r), cpuMicrosPerCall: micros };
  if (!echoBest || faster(r, echoBest)) echoBest = r;
}
echoClient.close();
await echo.stop();
process.stderr.write('\n');

// What an exchange cannot do without: its signature operations, a gRPC call
// and a Kafka request-reply, each at its measured CPU cost on this machine.
const signatures = await signatureCost();
const cores = availableParallelism();
// A lower bound: each operation at its cheapest, the least CPU per call of the
// baseline's levels (usually its fastest, where batching spreads fixed costs;
// driven at the hub's lower rate their fixed and idle costs dominate and the
// figure means little).
const cheapest = (runs: Record<string, { cpuMicrosPerCall: number }>) => Math.min(...Object.values(runs).map((r) => r.cpuMicrosPerCall));
const [kafkaCpu, echoCpu] = [cheapest(kafkaRuns), cheapest(echoRuns)];
const floorMicros = signatures.perExchangeMicros + echoCpu + kafkaCpu;
const ceiling = Math.round((cores * 1e6) / floorMicros);
const atMax = hubRuns[`C=${best!.c}`]!.cpuMicrosPerExchange;
const kafkaCounted = kafkaHandle.pid !== undefined;
const limits = {
  cores,
  signatureMicros: signatures,
  grpcCallMicros: echoCpu,
  kafkaRequestReplyMicros: kafkaCpu,
  kafkaCounted,
  floorMicrosPerExchange: floorMicros,
  ceilingExchangesPerSecond: ceiling,
  hubMicrosPerExchangeAtMax: atMax,
  /** The hub's maximum as a share of the ceiling (%). */
  shareOfCeilingPercent: Math.round((maxRate / ceiling) * 1000) / 10,
};

// The issue's targets beside what this run measured. `met` is null when this run did not measure it.
const half = openLoop.find((r) => r.percentOfMax === 50);
const targets: Target[] = [
  { what: 'maximum exchanges/s', target: `>= ${fmt(TARGETS.exchangesPerSecond)}`, measured: maxRate, unit: '/s', met: maxRate >= TARGETS.exchangesPerSecond },
  {
    what: 'CPU per exchange, all processes',
    target: `<= ${fmt(TARGETS.cpuMicrosPerExchange)} µs`,
    measured: atMax.total,
    unit: 'µs',
    met: kafkaCounted ? atMax.total <= TARGETS.cpuMicrosPerExchange : null,
  },
  {
    what: 'p99 latency at half the maximum, no errors',
    target: `<= ${TARGETS.p99AtHalfMaxMs} ms`,
    measured: half?.latencyMs?.p99 ?? null,
    unit: 'ms',
    met: half ? half.errors === 0 && half.latencyMs !== null && half.latencyMs.p99 <= TARGETS.p99AtHalfMaxMs : null,
  },
];
const result = {
  benchmark: 'throughput',
  date: new Date().toISOString(),
  machine: machine(),
  kafka: kafkaHandle.source,
  layout: auditNode ? 'exchange node + audit node' : 'single node',
  secondsPerRun: durationMs / 1000,
  summary: {
    maxExchangesPerSecond: maxRate,
    atConcurrency: best!.c,
    cpuMicrosPerExchangeAtMax: atMax,
    floorMicrosPerExchange: floorMicros,
    ceilingExchangesPerSecond: ceiling,
    shareOfCeilingPercent: limits.shareOfCeilingPercent,
    latencyAt: Object.fromEntries(openLoop.map((r) => [`${r.percentOfMax}%`, { offeredPerSecond: r.offeredPerSecond, achievedPerSecond: r.achievedPerSecond, errors: r.errors, latencyMs: r.latencyMs }])),
    targets,
  },
  hub: {
    runs: hubRuns,
    maxExchangesPerSecond: maxRate,
    atConcurrency: best!.c,
    openLoop,
    peakRssMiB: { node: peak.node.peakRssMiB, ...(peak.auditNode ? { auditNode: peak.auditNode.peakRssMiB } : {}), connectors: Math.max(...peak.connectors.map((c) => c.peakRssMiB)) },
  },
  baselines: {
    kafkaRequestReply: { runs: kafkaRuns, max: rate(kafkaBest!) },
    grpcEcho: { runs: echoRuns, max: rate(echoBest!) },
  },
  limits,
  ratios: { hubToKafkaRequestReply: Math.round((maxRate / rate(kafkaBest!)) * 1000) / 1000, hubToGrpcEcho: Math.round((maxRate / rate(echoBest!)) * 1000) / 1000 },
  /** Set with the first throughput bench, before issue 12's. */
  earlierTargets: { minShareOfKafkaRequestReply: 0.6 },
  /** How long the hub was warmed up before the first run, and how busy Kafka's JIT compiler still was at its end (share of a core; null: Kafka not local). */
  warmUp,
  /** From the process start (Kafka's included) to this result. */
  wallSeconds: Math.round(performance.now() / 1000),
};
/** What bench-results/throughput.json holds: bench/report.ts reads it. */
export type ThroughputResult = typeof result;
await writeResult('throughput', result);

const errorsText = (r: { errors: number; errorCodes: Record<string, number> }) =>
  r.errors ? `${fmt(r.errors)} errors (${Object.entries(r.errorCodes).map(([code, n]) => `${code} ${fmt(n)}`).join(', ')})` : '0 errors';
const openLoopLabel = (r: (typeof openLoop)[number]) => `${r.percentOfMax} % of the maximum (${fmt(r.offeredPerSecond)}/s offered, ${fmt(r.achievedPerSecond)}/s achieved)`;
console.error(
  [
    '',
    ...Object.entries(hubRuns).map(
      ([level, r]) => `hub closed loop ${level}: ${fmt(r.perSecond)}/s, latency ${latencyText(r.latencyMs)}, ${errorsText(r)}, node ${r.nodeCpuPercent} % of a core, connectors ${r.connectorsCpuPercent} %, CPU per exchange ${fmt(r.cpuMicrosPerExchange.total)} µs`,
    ),
    ...openLoop.map((r) => `hub open loop at ${openLoopLabel(r)}: latency ${latencyText(r.latencyMs)}, ${errorsText(r)}, generator late by up to ${ms(r.dispatchLagMs.max)} ms (p99 ${ms(r.dispatchLagMs.p99)}), CPU per exchange ${fmt(r.cpuMicrosPerExchange.total)} µs`),
    `baselines: kafkajs request-reply ${fmt(result.baselines.kafkaRequestReply.max)}/s (hub ratio ${result.ratios.hubToKafkaRequestReply}), gRPC echo ${fmt(result.baselines.grpcEcho.max)}/s (hub ratio ${result.ratios.hubToGrpcEcho})`,
    '',
    `Summary (${result.machine.cpus} cores, ${result.machine.model ?? 'unknown CPU'}, Node ${result.machine.node}, Kafka ${result.kafka}, ${result.layout}, ${fmt(durationMs / 1000)} s per run after ${fmt(warmUp.seconds)} s of warm-up):`,
    `  maximum: ${fmt(maxRate)} exchanges/s (closed loop, C=${best!.c}, ${errorsText(hubRuns[`C=${best!.c}`]!)})`,
    `  CPU per exchange at the maximum (µs): ${cpuText(atMax)}; total ${fmt(atMax.total)}`,
    `  floor, a lower bound: ${fmt(floorMicros)} µs per exchange (${signatures.signs} signs at ${signatures.signMicros} + ${signatures.verifies} verifies at ${signatures.verifyMicros} = ${signatures.perExchangeMicros}, gRPC call ${echoCpu}, Kafka request-reply ${kafkaCpu}, each at its cheapest)`,
    `  ceiling: ${fmt(ceiling)} exchanges/s on ${cores} cores; the hub's maximum is ${limits.shareOfCeilingPercent} % of it`,
    ...openLoop.map((r) => `  latency at ${openLoopLabel(r)}: ${latencyText(r.latencyMs)}, ${errorsText(r)}`),
    '  targets (issue 12):',
    ...targets.map((t) => `    ${t.what} ${t.target}: ${measuredText(t)}, ${verdict(t)}`),
    ...(kafkaCounted ? [] : ['  Kafka is not a local process here (Docker or KAFKA_BROKERS): its CPU is not counted above']),
    `  wall time to here ${fmt(result.wallSeconds)} s (Kafka's start included)`,
  ].join('\n'),
);

const out = join(REPO_ROOT, 'bench-results');
const series = [
  ...best!.result.perSecond.map((v, second) => ({ run: `hub C=${best!.c}`, second, perSecond: v })),
  ...kafkaBest!.perSecond.map((v, second) => ({ run: 'kafkajs request-reply', second, perSecond: v })),
];
const sample = (xs: number[], run: string) => xs.filter((_, i) => i % Math.max(1, Math.floor(xs.length / 5000)) === 0).map((ms) => ({ run, ms: Math.round(ms * 10) / 10 }));
const halfLatencies = half ? sample(openLoopLatencies.get(50) ?? [], `hub open loop at ${half.offeredPerSecond}/s`) : [];
await writeFile(join(out, 'throughput.svg'), await renderChart(series, [...sample(best!.result.latenciesMs, `hub C=${best!.c}`), ...halfLatencies]));
await writeFile(join(out, 'throughput-latency.svg'), await renderLatencyChart(latencyPoints(hubRuns, openLoop), P99_TARGET_LINE));
console.error(`wrote ${join(out, 'throughput.json')}, throughput.svg and throughput-latency.svg`);

await kafkaHandle.stop();
await rm(state, { recursive: true, force: true });
