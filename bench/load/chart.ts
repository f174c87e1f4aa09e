import { compile, type TopLevelSpec } from 'vega-lite';
import * as vega from 'vega';

/** A vega-lite spec rendered to SVG, no browser needed. */
async function toSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}

/** Renders the throughput-over-time and latency-distribution charts as one SVG. */
export async function renderChart(series: { run: string; second: number; perSecond: number }[], latencies: { run: string; ms: number }[]): Promise<string> {
  return toSvg({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    vconcat: [
      {
        title: 'Throughput over time (completed calls per second)',
        width: 640,
        height: 220,
        data: { values: series },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'second', type: 'quantitative', title: 'second of the run' },
          y: { field: 'perSecond', type: 'quantitative', title: 'calls/s' },
          color: { field: 'run', type: 'nominal' },
        },
      },
      {
        title: 'Latency distribution (ms)',
        width: 640,
        height: 220,
        data: { values: latencies },
        mark: 'bar',
        encoding: {
          x: { field: 'ms', type: 'quantitative', bin: { maxbins: 60 }, title: 'latency (ms)' },
          y: { aggregate: 'count', type: 'quantitative', title: 'calls' },
          color: { field: 'run', type: 'nominal' },
        },
      },
    ],
  });
}

/** One run's point on the latency-against-throughput chart. */
export interface LatencyPoint {
  /** Achieved exchanges/s. */
  perSecond: number;
  percentile: 'p50' | 'p99';
  ms: number;
  /** How the run drove the hub, e.g. 'open loop' or 'closed loop'. */
  kind: string;
  /** The run's name, e.g. '25 % of max' or 'C=64'. */
  run: string;
}

/**
 * Latency against throughput: for each percentile a line through the
 * closed-loop levels and one through the open-loop rates, in order of achieved
 * rate, each point named above its p99; latency on a log scale, with a dashed
 * rule at `targetLine` when given.
 */
export async function renderLatencyChart(points: LatencyPoint[], targetLine?: { ms: number; label: string }): Promise<string> {
  const x = { field: 'perSecond', type: 'quantitative', title: 'achieved exchanges/s', scale: { padding: 30 } } as const;
  const y = { field: 'ms', type: 'quantitative', title: 'latency (ms, log scale)', scale: { type: 'log' } } as const;
  const color = { field: 'percentile', type: 'nominal', title: 'latency' } as const;
  const target = targetLine ? [targetLine] : [];
  return toSvg({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Latency against throughput',
    width: 640,
    height: 320,
    layer: [
      // A line per percentile and kind of run: a closed loop never has more calls in flight than callers, so
      // its latency hides the queueing an open loop at the same rate shows; the two are not one curve.
      {
        data: { values: points },
        mark: 'line',
        encoding: { x, y, color, strokeDash: { field: 'kind', type: 'nominal', title: 'run' }, order: { field: 'perSecond', type: 'quantitative' } },
      },
      {
        data: { values: points },
        mark: { type: 'point', filled: true, size: 70 },
        encoding: { x, y, color, shape: { field: 'kind', type: 'nominal', title: 'run' }, tooltip: [{ field: 'run' }, { field: 'percentile' }, { field: 'ms' }, { field: 'perSecond' }] },
      },
      // Each run named once, above its p99 point.
      {
        data: { values: points },
        transform: [{ filter: "datum.percentile === 'p99'" }],
        mark: { type: 'text', dy: -12, fontSize: 10 },
        encoding: { x, y, text: { field: 'run' } },
      },
      // No target: the rule and its label have no data, and draw nothing.
      { data: { values: target }, mark: { type: 'rule', strokeDash: [6, 4], color: 'gray' }, encoding: { y: { field: 'ms', type: 'quantitative' } } },
      { data: { values: target }, mark: { type: 'text', align: 'right', dx: -4, dy: -6, color: 'gray' }, encoding: { x: { value: 'width' }, y: { field: 'ms', type: 'quantitative' }, text: { field: 'label' } } },
    ],
  });
}

type Latency = { p50: number; p99: number } | null;

/** The latency chart's points from a throughput result: each closed-loop level and open-loop rate at the rate it achieved. */
export function latencyPoints(
  closedLoop: Record<string, { perSecond: number; latencyMs: Latency }>,
  openLoop: { percentOfMax: number; achievedPerSecond: number; latencyMs: Latency }[],
): LatencyPoint[] {
  return [
    ...Object.entries(closedLoop).map(([level, r]) => ({ kind: 'closed loop', run: level, perSecond: r.perSecond, latencyMs: r.latencyMs })),
    ...openLoop.map((r) => ({ kind: 'open loop', run: `${r.percentOfMax} % of max`, perSecond: r.achievedPerSecond, latencyMs: r.latencyMs })),
  ].flatMap(({ latencyMs, ...p }): LatencyPoint[] =>
    latencyMs ? [{ ...p, percentile: 'p50', ms: latencyMs.p50 }, { ...p, percentile: 'p99', ms: latencyMs.p99 }] : [],
  );
}
