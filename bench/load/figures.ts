/** How the throughput bench and bench/report.ts write figures, so the summary and the table read alike. */

export const fmt = (n: number) => n.toLocaleString('en-US');
export const ms = (n: number) => n.toFixed(1);

/** Latency percentiles in one phrase; null (no call completed) said as such, not as zeros. */
export const latencyText = (l: { p50: number; p95: number; p99: number; max: number } | null) =>
  l ? `p50 ${ms(l.p50)}, p95 ${ms(l.p95)}, p99 ${ms(l.p99)}, max ${ms(l.max)} ms` : 'no call completed';

/** CPU µs per exchange of each process (the total left to the caller); Kafka said to be uncounted when it is not a local process. */
export const cpuText = (c: {
  node: number;
  auditNode?: number;
  connectors: number;
  kafka?: number;
  /** Of Kafka's figure, its JIT compiler threads' part. */
  kafkaJit?: number;
  loadGenerator: number;
}) =>
  [
    `node ${fmt(c.node)}`,
    ...(c.auditNode === undefined ? [] : [`audit node ${fmt(c.auditNode)}`]),
    `connectors ${fmt(c.connectors)}`,
    c.kafka === undefined ? 'Kafka not counted' : `Kafka ${fmt(c.kafka)}${c.kafkaJit ? ` (of which its JIT compiler ${fmt(c.kafkaJit)})` : ''}`,
    `load generator ${fmt(c.loadGenerator)}`,
  ].join(', ');

/** Issue 12's targets ("fast under real load"). */
export const TARGETS = { exchangesPerSecond: 2_000, cpuMicrosPerExchange: 1_000, p99AtHalfMaxMs: 25 };
/** The p99 target as a rule on the latency chart. */
export const P99_TARGET_LINE = {
  ms: TARGETS.p99AtHalfMaxMs,
  label: `target: p99 <= ${TARGETS.p99AtHalfMaxMs} ms at half the maximum`,
};

/** One of the issue's targets beside what a run measured; `met` and `measured` are null when the run did not measure it. */
export interface Target {
  what: string;
  target: string;
  measured: number | null;
  unit: '/s' | 'µs' | 'ms';
  met: boolean | null;
}

export const measuredText = (t: Target) =>
  t.measured === null
    ? 'not measured'
    : t.unit === 'ms'
      ? `${ms(t.measured)} ms`
      : t.unit === '/s'
        ? `${fmt(t.measured)}/s`
        : `${fmt(t.measured)} µs`;

export const verdict = (t: Target) => (t.met === null ? 'not measured' : t.met ? 'met' : 'not met');
