import type { TopLevelSpec } from 'vega-lite';
import type { DashboardData } from './dashboard-data.ts';
import type { DashboardLabels } from './dashboard-labels.ts';

/**
 * Vega-Lite specifications of the four dashboard charts. Data values go in as
 * data, never as field names or expressions: agency codes, reasons and
 * purposes come from signed entries but are text to vega, which escapes it.
 */

/** Fonts with Thai glyphs first (fonts-thai-tlwg on Debian; Sarabun where installed), as the console's stylesheet. */
export const CHART_FONT = "Sarabun, Loma, Garuda, 'Noto Sans Thai', sans-serif";
const WIDTH = 640;

const config = {
  font: CHART_FONT,
  background: 'white',
  axis: { labelFontSize: 12, titleFontSize: 13 },
  legend: {
    orient: 'bottom' as const,
    direction: 'horizontal' as const,
    columns: 3,
    labelFontSize: 12,
    titleFontSize: 13,
    labelLimit: 280,
    titleLimit: WIDTH,
  },
  title: { fontSize: 16, anchor: 'start' as const },
};
const counted = (title: string) => ({
  field: 'count',
  type: 'quantitative' as const,
  title,
  axis: { format: 'd', tickMinStep: 1 },
});

export function transfersSpec(data: DashboardData, l: DashboardLabels): TopLevelSpec {
  return {
    title: l.transfersTitle,
    width: WIDTH,
    height: 280,
    config,
    data: {
      values: data.transfers.map((t) => ({
        day: t.day,
        pair: `${t.consumer} → ${t.provider}`,
        count: t.count,
      })),
    },
    mark: 'bar',
    encoding: {
      x: {
        field: 'day',
        type: 'ordinal',
        title: l.day,
        scale: { domain: data.days },
        axis: { labelAngle: -45, labelOverlap: true },
      },
      y: counted(l.count),
      color: { field: 'pair', type: 'nominal', title: l.pair },
    },
  };
}

export function denialsSpec(data: DashboardData, l: DashboardLabels): TopLevelSpec {
  return horizontalBars(
    l.denialsTitle,
    l.reason,
    l.count,
    data.denials.map((d) => ({ label: d.reason, count: d.count })),
    '#c0392b',
  );
}

export function purposesSpec(data: DashboardData, l: DashboardLabels): TopLevelSpec {
  return horizontalBars(
    l.purposesTitle,
    l.purpose,
    l.count,
    data.topPurposes.map((p) => ({ label: p.purpose, count: p.count })),
    '#12355b',
  );
}

export function consentsSpec(data: DashboardData, l: DashboardLabels): TopLevelSpec {
  const values = data.consents.flatMap((c) => [
    { day: c.day, event: l.granted, count: c.granted },
    { day: c.day, event: l.withdrawn, count: c.withdrawn },
  ]);
  return {
    title: l.consentsTitle,
    width: WIDTH,
    height: 240,
    config,
    data: { values },
    mark: 'bar',
    encoding: {
      x: {
        field: 'day',
        type: 'ordinal',
        title: l.day,
        scale: { domain: data.days },
        axis: { labelAngle: -45, labelOverlap: true },
      },
      xOffset: { field: 'event', type: 'nominal', scale: { domain: [l.granted, l.withdrawn] } },
      y: counted(l.count),
      color: {
        field: 'event',
        type: 'nominal',
        title: l.event,
        scale: { domain: [l.granted, l.withdrawn], range: ['#2e7d32', '#ef6c00'] },
      },
    },
  };
}

/** A chart with its title that says there is nothing to show. */
export function noDataSpec(title: string, l: DashboardLabels): TopLevelSpec {
  return {
    title,
    width: WIDTH,
    height: 60,
    config: { ...config, view: { stroke: '#ccc' } },
    data: { values: [{ text: l.noData }] },
    mark: { type: 'text', fontSize: 14, color: '#555' },
    encoding: { text: { field: 'text', type: 'nominal' } },
  };
}

function horizontalBars(
  title: string,
  category: string,
  count: string,
  values: { label: string; count: number }[],
  colour: string,
): TopLevelSpec {
  return {
    title,
    width: WIDTH - 200,
    height: { step: 24 },
    config,
    data: { values },
    mark: { type: 'bar', color: colour },
    encoding: {
      y: {
        field: 'label',
        type: 'nominal',
        title: category,
        sort: { field: 'count', order: 'descending' },
        axis: { labelLimit: 260 },
      },
      x: counted(count),
    },
  };
}
