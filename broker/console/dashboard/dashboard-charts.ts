import type { TopLevelSpec } from 'vega-lite';
import type { Lang } from '../i18n.ts';
import { consentsSpec, denialsSpec, noDataSpec, purposesSpec, transfersSpec } from './chart-specs.ts';
import type { DashboardData } from './dashboard-data.ts';
import { DASHBOARD_LABELS, fill, type DashboardLabels } from './dashboard-labels.ts';
import { renderSvg } from './render-svg.ts';

export type ChartId = 'transfers' | 'denials' | 'consents' | 'purposes';

/** One chart, ready to place in a page: the SVG and the same data as a table. */
export interface DashboardChart {
  /** Element id of the <svg> (`<idPrefix>-<chart>`); its <title> and <desc> have `-title` and `-desc` after it. */
  id: string;
  title: string;
  /** One-sentence text summary (the SVG's <desc>); print it as the table's caption or beside the chart. */
  description: string;
  /** SVG markup, safe to embed as is: every text in it is escaped; no script, no style attribute, no external reference. */
  svg: string;
  /** The chart's data: column headings (in `lang`) and rows of plain values, unescaped; escape them where the page prints them. */
  table: { columns: string[]; rows: (string | number)[][] };
  /** True when the range holds nothing for this chart: the SVG then says so in words. */
  empty: boolean;
}

export interface ChartOptions {
  lang: Lang;
  /** Wording to change, over DASHBOARD_LABELS[lang]. */
  labels?: Partial<DashboardLabels>;
  /** Prefix of the SVG element ids, unique on the page; default `chart`. */
  idPrefix?: string;
}

/**
 * The four dashboard charts as server-rendered SVG (vega-lite compiled, vega
 * rendered with renderer 'none': no canvas, no browser), each with a title, a
 * text summary for screen readers and its data as a table. A chart with
 * nothing to show in the range is a chart that says "no data" (in `lang`).
 * Rendering takes some tens of milliseconds per chart on the event loop.
 */
export async function dashboardCharts(
  data: DashboardData,
  options: ChartOptions,
): Promise<Record<ChartId, DashboardChart>> {
  const l: DashboardLabels = { ...DASHBOARD_LABELS[options.lang], ...options.labels };
  const prefix = options.idPrefix ?? 'chart';
  const span = { first: data.days[0] ?? '', last: data.days.at(-1) ?? '', zone: data.timeZone };
  const pairs = new Set(data.transfers.map((t) => `${t.consumer}\u0000${t.provider}`)).size;
  const chart = async (
    id: ChartId,
    title: string,
    summary: string,
    spec: TopLevelSpec,
    empty: boolean,
    table: DashboardChart['table'],
  ): Promise<DashboardChart> => {
    const name = {
      id: `${prefix}-${id}`,
      title,
      description: empty ? `${l.noData}: ${span.first} – ${span.last}` : summary,
    };
    return { ...name, svg: await renderSvg(empty ? noDataSpec(title, l) : spec, name), table, empty };
  };
  const [transfers, denials, consents, purposes] = await Promise.all([
    chart(
      'transfers',
      l.transfersTitle,
      fill(l.transfersSummary, { ...span, total: data.totals.transfers, pairs }),
      transfersSpec(data, l),
      data.transfers.length === 0,
      {
        columns: [l.day, l.consumer, l.provider, l.count],
        rows: data.transfers.map((t) => [t.day, t.consumer, t.provider, t.count]),
      },
    ),
    chart(
      'denials',
      l.denialsTitle,
      fill(l.denialsSummary, { ...span, total: data.totals.denials, reasons: data.denials.length }),
      denialsSpec(data, l),
      data.denials.length === 0,
      { columns: [l.reason, l.count], rows: data.denials.map((d) => [d.reason, d.count]) },
    ),
    chart(
      'consents',
      l.consentsTitle,
      fill(l.consentsSummary, { ...span, granted: data.totals.granted, withdrawn: data.totals.withdrawn }),
      consentsSpec(data, l),
      data.totals.granted + data.totals.withdrawn === 0,
      {
        columns: [l.day, l.granted, l.withdrawn],
        rows: data.consents.map((c) => [c.day, c.granted, c.withdrawn]),
      },
    ),
    chart(
      'purposes',
      l.purposesTitle,
      fill(l.purposesSummary, { ...span, shown: data.topPurposes.length, total: data.totals.transfers }),
      purposesSpec(data, l),
      data.topPurposes.length === 0,
      { columns: [l.purpose, l.count], rows: data.topPurposes.map((p) => [p.purpose, p.count]) },
    ),
  ]);
  return { transfers, denials, consents, purposes };
}
