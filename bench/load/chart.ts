import { compile, type TopLevelSpec } from 'vega-lite';
import * as vega from 'vega';

/** Renders the throughput-over-time and latency-distribution charts as one SVG (vega-lite, no browser needed). */
export async function renderChart(series: { run: string; second: number; perSecond: number }[], latencies: { run: string; ms: number }[]): Promise<string> {
  const spec: TopLevelSpec = {
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
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}
