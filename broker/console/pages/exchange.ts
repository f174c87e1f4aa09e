import type { AuditEntry } from '../../audit/audit-entry.types.ts';
import { html } from '../html.ts';
import { page, type PageContext } from './layout.ts';

export interface ExchangeView {
  exchangeId: string;
  entries: { index: number; entry: AuditEntry }[];
  /** The signed checkpoint the entries' inclusion proofs were checked against, or why not. */
  coverage: { size: number } | { notCovered: true } | { failedIndex: number };
}

/** One exchange: its timeline, basis and consent, what was delivered, and whether a signed checkpoint covers it. */
export function exchangePage(ctx: PageContext, view: ExchangeView): string {
  const decision = view.entries.find((e) => e.entry.kind === 'decision')?.entry;
  const delivered = view.entries.find((e) => e.entry.kind === 'delivered')?.entry;
  const deferred = view.entries.map((e) => e.entry).find((e) => e.discloseAfter !== undefined);
  const c = view.coverage;
  return page(
    ctx,
    ctx.t('exchange.heading', { id: view.exchangeId }),
    html`<h1>${ctx.t('exchange.heading', { id: view.exchangeId })}</h1>
${deferred ? html`<p class="deferred">${ctx.t('exchange.deferred', { until: new Date(deferred.discloseAfter!).toISOString().slice(0, 10), citation: deferred.deferral ?? '' })}</p>` : ''}
<h2>${ctx.t('exchange.timeline')}</h2>
<table><thead><tr><th scope="col">${ctx.t('col.index')}</th><th scope="col">${ctx.t('col.time')}</th><th scope="col">${ctx.t('col.kind')}</th><th scope="col">${ctx.t('col.decision')}</th><th scope="col">${ctx.t('col.reason')}</th></tr></thead>
<tbody>${view.entries.map(({ index, entry: e }) => html`<tr><td>${index}</td><td>${new Date(e.at).toISOString()}</td><td>${e.kind}</td><td>${e.decision ?? ''}</td><td>${e.reason ?? ''}</td></tr>`)}</tbody></table>
<h2>${ctx.t('exchange.basis')}</h2>
<dl><dt>${ctx.t('col.basis')}</dt><dd>${decision?.lawfulBasis ?? ctx.t('exchange.none')}</dd>
<dt>${ctx.t('exchange.rule')}</dt><dd>${decision ? `${decision.rule ?? ''} (${decision.source ?? ''})` : ctx.t('exchange.none')}</dd>
<dt>${ctx.t('exchange.consent')}</dt><dd>${decision?.consentId ?? ctx.t('exchange.none')}</dd>
<dt>${ctx.t('col.consumer')} → ${ctx.t('col.provider')}</dt><dd>${decision?.consumer ?? ''} → ${decision?.provider ?? delivered?.provider ?? ''}</dd>
<dt>${ctx.t('col.recordType')} / ${ctx.t('col.purpose')}</dt><dd>${decision?.recordType ?? ''} / ${decision?.purpose ?? ''}</dd></dl>
<h2>${ctx.t('exchange.fields')}</h2>
<p>${delivered?.fields?.join(', ') ?? ctx.t('exchange.none')}</p>
<p>${ctx.t('exchange.providerKey')}: ${delivered?.providerKeyId ?? ctx.t('exchange.none')}</p>
<h2>${ctx.t('exchange.proof')}</h2>
<p>${'size' in c ? ctx.t('exchange.covered', { size: c.size }) : 'failedIndex' in c ? ctx.t('exchange.proofFailed', { index: c.failedIndex }) : ctx.t('exchange.notCovered')}</p>
${'size' in c ? html`<p><a href="/exchange/${view.exchangeId}/evidence" download="evidence-${view.exchangeId}.json">${ctx.t('exchange.evidence')}</a></p>` : ''}`,
  );
}
