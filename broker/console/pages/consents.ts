import type { ConsentWire } from '../../consent/consent-wire.ts';
import { html } from '../html.ts';
import { page, type PageContext } from './layout.ts';

/** One person's consents, in every state, with their uses: the form asks whose (POST: no citizen id in a URL). */
export function consentsPage(ctx: PageContext, consents?: ConsentWire[], error?: string): string {
  return page(
    ctx,
    ctx.t('consents.heading'),
    html`<h1>${ctx.t('consents.heading')}</h1>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form method="post" action="/consents" class="noprint">
<input type="hidden" name="csrf" value="${ctx.csrf}">
<label for="subject">${ctx.t('search.subject')}</label><input id="subject" name="subject" inputmode="numeric" autocomplete="off" pattern="[0-9]{13}" required>
<p><button type="submit">${ctx.t('consents.submit')}</button></p>
</form>
${
  consents
    ? html`<h2>${ctx.t('consents.count', { count: consents.length })}</h2>
${consents.length === 0 ? '' : html`<table><thead><tr><th scope="col">${ctx.t('exchange.consent')}</th><th scope="col">${ctx.t('col.consumer')}</th><th scope="col">${ctx.t('col.recordType')}</th><th scope="col">${ctx.t('col.purpose')}</th><th scope="col">${ctx.t('consents.valid')}</th><th scope="col">${ctx.t('consents.status')}</th><th scope="col">${ctx.t('consents.uses')}</th><th scope="col">${ctx.t('consents.granted')}</th><th scope="col">${ctx.t('consents.revoked')}</th></tr></thead>
<tbody>${consents.map(
  (c) =>
    html`<tr><td>${c.consentId}</td><td>${c.consumer}</td><td>${c.items.map((i) => i.recordType).join(', ')}</td><td>${c.purposes.join(', ')}</td><td>${c.validFrom} – ${c.validTo}</td><td>${c.status}${c.explicit ? ` (${ctx.t('consents.explicit')})` : ''}</td><td>${c.uses}${c.maxUses ? ` / ${c.maxUses}` : ''}</td><td>${c.grantedAt} ${c.grantedBy}</td><td>${c.revokedAt ? `${c.revokedAt} ${c.revokedBy}` : ''}</td></tr>`,
)}</tbody></table>`}`
    : ''
}`,
  );
}
