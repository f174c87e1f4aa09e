/**
 * Prints the latest benchmark figures in bench-results/*.json as a Markdown
 * table, each row with the date of its run and the command that ran it, then
 * the machine (or machines) they ran on. Every figure comes from the JSON: run
 * the benchmarks first (`npm run bench`, or one of them). --chart also draws
 * bench-results/throughput-latency.svg again from throughput.json.
 * Usage: node bench/report.ts [--chart] [benchmark ...]   e.g. node bench/report.ts throughput
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../cli/demo-setup.ts';
import type { machine, percentiles } from './bench-hub.ts';
import { latencyPoints, renderLatencyChart } from './load/chart.ts';
import { cpuText, fmt, latencyText, measuredText, ms, P99_TARGET_LINE, verdict } from './load/figures.ts';
import type { ThroughputResult } from './throughput.ts';

type Percentiles = ReturnType<typeof percentiles>;
interface Common {
  benchmark: string;
  date: string;
  machine?: ReturnType<typeof machine>;
  kafka?: string;
  command?: string;
}
type Row = [what: string, figure: string];

function throughputRows(r: ThroughputResult): Row[] {
  const s = r.summary;
  const c = s.cpuMicrosPerExchangeAtMax;
  const best = r.hub.runs[`C=${s.atConcurrency}`];
  const others = Object.entries(r.hub.runs).filter(([level]) => level !== `C=${s.atConcurrency}`);
  const sig = r.limits.signatureMicros;
  return [
    [
      `maximum exchanges/s (closed loop; ${r.layout} + 4 connectors, each in its own process; ${r.secondsPerRun} s per level${r.warmUp ? ` after ${r.warmUp.seconds} s of warm-up` : ''})`,
      `C=${s.atConcurrency}: **${fmt(s.maxExchangesPerSecond)}/s** (${latencyText(best?.latencyMs ?? null)}); ${others.map(([level, run]) => `${level} ${fmt(run.perSecond)}/s`).join('; ')}; ${fmt(Object.values(r.hub.runs).reduce((n, run) => n + run.errors, 0))} errors`,
    ],
    [
      'CPU per exchange at the maximum, every process on the machine',
      `µs: ${cpuText(c)}; total **${fmt(c.total)} µs**`,
    ],
    [
      `floor per exchange, a lower bound (${sig.signs} signs, ${sig.verifies} verifies, 1 gRPC call, 1 Kafka request-reply, each at its cheapest), and the ceiling it sets on ${r.limits.cores} cores`,
      `floor ${fmt(s.floorMicrosPerExchange)} µs (sign ${sig.signMicros}, verify ${sig.verifyMicros}, gRPC ${r.limits.grpcCallMicros}, Kafka ${r.limits.kafkaRequestReplyMicros}); ceiling ${fmt(s.ceilingExchangesPerSecond)}/s; the hub's maximum is **${s.shareOfCeilingPercent} %** of it`,
    ],
    ...r.hub.openLoop.map((o): Row => [
      `latency at ${o.percentOfMax} % of the maximum (open loop, timed from when each call was due)`,
      `${fmt(o.offeredPerSecond)}/s offered, ${fmt(o.achievedPerSecond)}/s achieved: ${latencyText(o.latencyMs)}; ${fmt(o.errors)} errors`,
    ]),
    [
      'baselines: kafkajs request-reply; gRPC echo (both over TLS)',
      `${fmt(r.baselines.kafkaRequestReply.max)}/s; ${fmt(r.baselines.grpcEcho.max)}/s`,
    ],
    [
      'peak RSS',
      `node ${fmt(r.hub.peakRssMiB.node)} MiB, ${r.hub.peakRssMiB.auditNode === undefined ? '' : `audit node ${fmt(r.hub.peakRssMiB.auditNode)}, `}connector ${fmt(r.hub.peakRssMiB.connectors)}`,
    ],
    ...s.targets.map((t): Row => [
      `target (issue 12): ${t.what} ${t.target}`,
      `${measuredText(t)}: **${verdict(t)}**`,
    ]),
  ];
}

interface Sequential extends Common {
  count: number;
  exchangesPerSecond: number;
  ms: Percentiles;
}
interface Consent extends Common {
  revocations: number;
  propagationToOtherNodeMs: Percentiles;
  decideMicroseconds: number;
  deniedCallMs: Percentiles;
  consentExchanges: number;
  consentExchangeMs: Percentiles;
}
interface Audit extends Common {
  entries: number;
  checkpoints: number;
  verifyEntriesPerSecond: number;
  queryMs: Record<string, Percentiles>;
}
interface AuditIndex extends Common {
  entries: number;
  addEntriesPerSecond: number;
  queryMs: Record<string, Percentiles>;
}
interface Backends extends Common {
  sequentialFetches: { count: number } & Record<string, Percentiles | number | string>;
  underLoad: { concurrency: number } & Record<
    string,
    { exchangesPerSecond: number; errors: number } | number | string
  >;
}

const queries = (q: Record<string, Percentiles>) =>
  Object.entries(q)
    .map(([name, l]) => `${name} p50 ${ms(l.p50)}, p99 ${ms(l.p99)} ms`)
    .join('; ');

/** Rows for each benchmark this script knows; any other gets a row pointing at its file. */
function rows(r: Common, file: string): Row[] {
  switch (r.benchmark) {
    case 'throughput':
      if (!('summary' in r))
        return [['throughput', `older format, without the summary: rerun \`node bench/throughput.ts\``]];
      return throughputRows(r as unknown as ThroughputResult);
    case 'sequential-latency': {
      const s = r as Sequential;
      return [
        [
          `${fmt(s.count)} sequential exchanges (one caller, FPO → DOPA)`,
          `${latencyText(s.ms)}; ${fmt(s.exchangesPerSecond)} exchanges/s`,
        ],
      ];
    }
    case 'consent': {
      const s = r as Consent;
      return [
        [
          `consent withdrawal seen by a second node (${fmt(s.revocations)} revocations)`,
          latencyText(s.propagationToOtherNodeMs),
        ],
        ['policy decision with a consent check, in process', `${s.decideMicroseconds} µs`],
        ['a denied RequestRecord end to end', latencyText(s.deniedCallMs)],
        [
          `a consent-based RequestRecord end to end (${fmt(s.consentExchanges)} calls)`,
          latencyText(s.consentExchangeMs),
        ],
      ];
    }
    case 'audit': {
      const s = r as Audit;
      return [
        [
          `\`verify\` over ${fmt(s.entries)} audit entries (${fmt(s.checkpoints)} checkpoints)`,
          `${fmt(s.verifyEntriesPerSecond)} entries/s`,
        ],
        ['audit queries through the Audit service', queries(s.queryMs)],
      ];
    }
    case 'audit-index': {
      const s = r as AuditIndex;
      return [
        [
          `audit index, ${fmt(s.entries)} entries`,
          `${fmt(s.addEntriesPerSecond)} entries/s added; ${queries(s.queryMs)}`,
        ],
      ];
    }
    case 'connector-backends': {
      const s = r as Backends;
      const backends = Object.entries(s.underLoad).flatMap(([name, v]) =>
        typeof v === 'object'
          ? [`${name} ${fmt(v.exchangesPerSecond)}/s${v.errors ? ` (${fmt(v.errors)} errors)` : ''}`]
          : [],
      );
      const fetches = Object.entries(s.sequentialFetches).flatMap(([name, v]) =>
        typeof v === 'object' ? [`${name} p50 ${v.p50}, p99 ${v.p99} ms`] : [],
      );
      return [
        [`connector backends: ${fmt(s.sequentialFetches.count)} sequential fetches`, fetches.join('; ')],
        [`connector backends: exchanges/s at C=${s.underLoad.concurrency}`, backends.join('; ')],
      ];
    }
    default:
      return [[r.benchmark, `no summary in bench/report.ts yet: see bench-results/${file}`]];
  }
}

const { values, positionals } = parseArgs({
  options: { chart: { type: 'boolean', default: false } },
  allowPositionals: true,
});
const only = new Set(positionals);
const dir = join(REPO_ROOT, 'bench-results');
const files = (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.json')).sort();
/** The order `npm run bench` runs them in; any other after these, by name. */
const ORDER = ['throughput', 'sequential-latency', 'consent', 'audit', 'connector-backends'];
const rank = (benchmark: string) => (ORDER.includes(benchmark) ? ORDER.indexOf(benchmark) : ORDER.length);
const results: { file: string; result: Common }[] = [];
for (const file of files) {
  const result = JSON.parse(await readFile(join(dir, file), 'utf8')) as Common;
  if (
    typeof result.benchmark === 'string' &&
    typeof result.date === 'string' &&
    (only.size === 0 || only.has(result.benchmark))
  )
    results.push({ file, result });
}
results.sort(
  (a, b) =>
    rank(a.result.benchmark) - rank(b.result.benchmark) ||
    a.result.benchmark.localeCompare(b.result.benchmark),
);
if (results.length === 0) {
  console.error(
    `no benchmark results${only.size ? ` for ${[...only].join(', ')}` : ''} in ${dir}: run \`npm run bench\` (or one benchmark) first`,
  );
  process.exit(1);
}

const day = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
const cell = (s: string) => s.replaceAll('|', '\\|');
const lines = ['| what | figure | run | command |', '|---|---|---|---|'];
for (const { file, result } of results) {
  // Results written before bench-hub's writeResult recorded the command name their script only.
  const command = result.command
    ? `\`${cell(result.command)}\``
    : `\`node bench/${result.benchmark}.ts\` (arguments not recorded)`;
  // The date and command once for each run: its other rows say "same".
  rows(result, file).forEach(([what, figure], i) =>
    lines.push(
      `| ${cell(what)} | ${cell(figure)} | ${i ? 'same' : day(result.date)} | ${i ? 'same' : command} |`,
    ),
  );
}
const machines = new Map<string, string[]>();
for (const { result } of results) {
  const m = result.machine;
  const name = m
    ? `${m.cpus} cores (${m.model ?? 'unknown CPU'})${m.memoryGiB === undefined ? '' : `, ${m.memoryGiB} GiB`}, Node ${m.node}`
    : 'not recorded';
  const key = `${name}${result.kafka ? `, Kafka ${result.kafka}` : ''}`;
  machines.set(key, [...(machines.get(key) ?? []), result.benchmark]);
}
lines.push('');
for (const [name, benchmarks] of machines)
  lines.push(`Machine: ${name}${machines.size > 1 ? ` (${benchmarks.join(', ')})` : ''}.`);
console.log(lines.join('\n'));

if (values.chart) {
  const throughput = results.find((r) => r.result.benchmark === 'throughput' && 'summary' in r.result);
  if (!throughput) {
    console.error('--chart: no throughput.json with a summary in bench-results');
    process.exit(1);
  }
  const r = throughput.result as unknown as ThroughputResult;
  const file = join(dir, 'throughput-latency.svg');
  await writeFile(file, await renderLatencyChart(latencyPoints(r.hub.runs, r.hub.openLoop), P99_TARGET_LINE));
  console.error(`wrote ${file}`);
}
