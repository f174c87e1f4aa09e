import type { ReportLine } from '../../audit/s30-report.ts';
import type { AuditEntry } from '../../audit/audit-entry.types.ts';
import { html } from '../html.ts';
import { page, type PageContext } from './layout.ts';

/** The form asking whose report (POST: the citizen id never goes in a URL), and the report once asked. */
export function reportPage(ctx: PageContext, report?: { lines: ReportLine[]; consentEvents: AuditEntry[]; generatedAt: string }, error?: string): string {
  return page(
    ctx,
    ctx.t('report.heading'),
    html`<h1>${ctx.t('report.heading')}</h1>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form method="post" action="/report" class="noprint">
<input type="hidden" name="csrf" value="${ctx.csrf}">
<label for="subject">${ctx.t('search.subject')}</label><input id="subject" name="subject" inputmode="numeric" autocomplete="off" pattern="[0-9]{13}" required>
<p><button type="submit">${ctx.t('report.submit')}</button></p>
</form>
${
  report
    ? html`<h2>${ctx.t('report.requests', { count: report.lines.length, delivered: report.lines.filter((l) => l.outcome === 'delivered').length })}</h2>
<p>${ctx.t('report.generated', { at: report.generatedAt })}</p>
<table><thead><tr><th scope="col">${ctx.t('col.time')}</th><th scope="col">${ctx.t('col.consumer')}</th><th scope="col">${ctx.t('col.provider')}</th><th scope="col">${ctx.t('col.recordType')}</th><th scope="col">${ctx.t('col.purpose')}</th><th scope="col">${ctx.t('col.basis')}</th><th scope="col">${ctx.t('report.outcome')}</th><th scope="col">${ctx.t('exchange.fields')}</th></tr></thead>
<tbody>${report.lines.map((l) => html`<tr><td>${l.time}</td><td>${l.requestedBy}</td><td>${l.provider}</td><td>${l.recordType}</td><td>${l.purpose}</td><td>${l.lawfulBasis}</td><td>${l.outcome}${l.replays.length ? ` (+${l.replays.length})` : ''}${l.deferred ? html`<br><span class="deferred">${ctx.t('exchange.deferred', { until: l.deferred.until.slice(0, 10), citation: l.deferred.citation })}</span>` : ''}</td><td>${l.fields.join(', ')}</td></tr>`)}</tbody></table>
<h2>${ctx.t('report.consents')}</h2>
${report.consentEvents.length === 0 ? html`<p>${ctx.t('exchange.none')}</p>` : html`<ul>${report.consentEvents.map((c) => html`<li>${new Date(c.at).toISOString()} ${c.kind} ${c.consumer ?? ''} (${c.actor ?? ''})</li>`)}</ul>`}`
    : ''
}`,
  );
}
