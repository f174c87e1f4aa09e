import { AUDIT_KINDS, type AuditEntry } from '../../audit/audit-entry.types.ts';
import type { Policy } from '../../../policies/policy.types.ts';
import { html, type SafeHtml } from '../html.ts';
import { page, type PageContext } from './layout.ts';

export interface SearchForm {
  agency: string;
  recordType: string;
  purpose: string;
  lawfulBasis: string;
  decision: string;
  kind: string;
  from: string;
  to: string;
}

export const EMPTY_SEARCH: SearchForm = { agency: '', recordType: '', purpose: '', lawfulBasis: '', decision: '', kind: '', from: '', to: '' };
const BASES = ['consent', 'research-statistics', 'vital-interest', 'contract', 'public-task', 'legitimate-interest', 'legal-obligation'];

function select(ctx: PageContext, name: keyof SearchForm, label: string, options: string[], value: string): SafeHtml {
  return html`<label for="${name}">${label}</label><select id="${name}" name="${name}"><option value="">${ctx.t('search.any')}</option>${options.map((o) => html`<option value="${o}"${o === value ? html` selected` : ''}>${o}</option>`)}</select>`;
}

/**
 * The search form (POST: the citizen id never goes in a URL) and, after a
 * search, its results. The citizen id field is always blank when shown again.
 */
export function searchPage(ctx: PageContext, policy: Policy, form: SearchForm, results?: { index: number; entry: AuditEntry }[], error?: string, next?: { after: number; subjectRef?: string }): string {
  const input = (name: keyof SearchForm, label: string) => html`<label for="${name}">${label}</label><input id="${name}" name="${name}" value="${form[name]}">`;
  return page(
    ctx,
    ctx.t('search.heading'),
    html`<h1>${ctx.t('search.heading')}</h1>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form method="post" action="/search">
<input type="hidden" name="csrf" value="${ctx.csrf}">
<label for="subject">${ctx.t('search.subject')}</label><input id="subject" name="subject" inputmode="numeric" autocomplete="off" pattern="[0-9]{13}">
${select(ctx, 'agency', ctx.t('search.agency'), [...policy.agencies.keys()], form.agency)}
${select(ctx, 'recordType', ctx.t('search.recordType'), [...policy.recordTypes.keys()], form.recordType)}
${select(ctx, 'purpose', ctx.t('search.purpose'), [...policy.purposes.keys()], form.purpose)}
${select(ctx, 'lawfulBasis', ctx.t('search.lawfulBasis'), BASES, form.lawfulBasis)}
${select(ctx, 'decision', ctx.t('search.decision'), ['permit', 'deny'], form.decision)}
${select(ctx, 'kind', ctx.t('search.kind'), [...AUDIT_KINDS], form.kind)}
${input('from', ctx.t('search.from'))}${input('to', ctx.t('search.to'))}
<p><button type="submit">${ctx.t('search.submit')}</button> <button type="submit" name="format" value="csv">${ctx.t('search.csv')}</button></p>
</form>
${results ? resultsTable(ctx, results) : ''}
${next ? nextPage(ctx, form, next) : ''}`,
  );
}

function resultsTable(ctx: PageContext, results: { index: number; entry: AuditEntry }[]): SafeHtml {
  if (results.length === 0) return html`<h2>${ctx.t('results.heading')}</h2><p>${ctx.t('results.none')}</p>`;
  return html`<h2>${ctx.t('results.heading')}</h2>
<table><caption>${results.length}</caption><thead><tr><th scope="col">${ctx.t('col.index')}</th><th scope="col">${ctx.t('col.time')}</th><th scope="col">${ctx.t('col.kind')}</th><th scope="col">${ctx.t('col.exchange')}</th><th scope="col">${ctx.t('col.consumer')}</th><th scope="col">${ctx.t('col.provider')}</th><th scope="col">${ctx.t('col.recordType')}</th><th scope="col">${ctx.t('col.purpose')}</th><th scope="col">${ctx.t('col.decision')}</th><th scope="col">${ctx.t('col.reason')}</th></tr></thead>
<tbody>${results.map(
    ({ index, entry: e }) =>
      html`<tr><td>${index}</td><td>${new Date(e.at).toISOString()}</td><td>${e.kind}</td><td>${e.exchangeId ? html`<a href="/exchange/${e.exchangeId}">${e.exchangeId.slice(0, 8)}</a>` : ''}</td><td>${e.consumer ?? e.actor ?? ''}</td><td>${e.provider ?? ''}</td><td>${e.recordType ?? ''}</td><td>${e.purpose ?? ''}</td><td>${e.decision ?? ''}</td><td>${e.reason ?? ''}</td></tr>`,
  )}</tbody></table>`;
}

/** The next page: the same filters, posted again, with the person as their pseudonym only (never the id). */
function nextPage(ctx: PageContext, form: SearchForm, next: { after: number; subjectRef?: string }): SafeHtml {
  return html`<form method="post" action="/search"><input type="hidden" name="csrf" value="${ctx.csrf}">${(Object.keys(form) as (keyof SearchForm)[]).map((k) => html`<input type="hidden" name="${k}" value="${form[k]}">`)}${next.subjectRef ? html`<input type="hidden" name="subjectRef" value="${next.subjectRef}">` : ''}<input type="hidden" name="after" value="${next.after}"><p><button type="submit">${ctx.t('results.more')}</button></p></form>`;
}
