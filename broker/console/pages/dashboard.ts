import type { DashboardChart } from '../dashboard/dashboard-charts.ts';
import { html, SafeHtml } from '../html.ts';
import { page, type PageContext } from './layout.ts';

/** The dashboard: a range form, then each chart as server-drawn SVG with its data as a table beside it. */
export function dashboardPage(ctx: PageContext, range: { from: string; to: string }, charts: DashboardChart[], error?: string): string {
  return page(
    ctx,
    ctx.t('dashboard.heading'),
    html`<h1>${ctx.t('dashboard.heading')}</h1>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form method="get" action="/dashboard" class="noprint">
<label for="from">${ctx.t('dashboard.from')}</label><input id="from" name="from" type="date" value="${range.from}">
<label for="to">${ctx.t('dashboard.to')}</label><input id="to" name="to" type="date" value="${range.to}">
<input type="hidden" name="lang" value="${ctx.lang}">
<p><button type="submit">${ctx.t('dashboard.submit')}</button></p>
</form>
${charts.map(
  (c) => html`<section aria-labelledby="${c.id}-heading"><h2 id="${c.id}-heading">${c.title}</h2>
<figure>${new SafeHtml(c.svg)}<figcaption>${c.description}</figcaption></figure>
<table><caption>${c.title}</caption><thead><tr>${c.table.columns.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${c.table.rows.map((r) => html`<tr>${r.map((v) => html`<td>${v}</td>`)}</tr>`)}</tbody></table></section>`,
)}`,
  );
}
