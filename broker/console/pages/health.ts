import type { LogHealth } from '../log-health/log-health.ts';
import type { VerifyStatus } from '../log-health/verify-job.ts';
import { html } from '../html.ts';
import { page, type PageContext } from './layout.ts';

const iso = (ms: number | undefined) => (ms === undefined ? '' : new Date(ms).toISOString());

/** Log health: the newest checkpoint, the verifier key, the unsigned tail, and a full verify with its progress (the page refreshes itself while it runs: no script). */
export function healthPage(ctx: PageContext, health: LogHealth, verify: VerifyStatus): string {
  const cp = health.newestCheckpoint;
  const running = verify.state === 'running';
  return page(
    ctx,
    ctx.t('health.heading'),
    html`<h1>${ctx.t('health.heading')}</h1>
<h2>${ctx.t('health.checkpoint')}</h2>
<dl><dt>${ctx.t('health.size')}</dt><dd>${cp ? cp.size : ctx.t('exchange.none')}</dd>
<dt>${ctx.t('health.age')}</dt><dd>${cp?.ageMs !== undefined ? `${Math.round(cp.ageMs / 1000)} s` : ''}</dd>
<dt>${ctx.t('health.verifierKey')}</dt><dd><code>${health.verifierKey}</code></dd>
<dt>${ctx.t('health.indexed')}</dt><dd>${health.indexedEntries}</dd>
<dt>${ctx.t('health.tail')}</dt><dd>${health.unsignedTail.entries}${health.unsignedTail.oldestAgeMs !== undefined ? ` (${Math.round(health.unsignedTail.oldestAgeMs / 1000)} s)` : ''}</dd></dl>
<h2>${ctx.t('health.verify')}</h2>
<p role="status">${ctx.t(`health.state.${verify.state}`)}: ${verify.checked} / ${verify.total}${verify.finishedAt ? ` · ${iso(verify.finishedAt)}` : ''}</p>
${running ? html`<progress max="${verify.total || 1}" value="${verify.checked}" aria-label="${ctx.t('health.verify')}">${verify.checked}</progress>` : ''}
${verify.firstFailure ? html`<p class="error">${ctx.t('health.firstFailure')}: ${JSON.stringify(verify.firstFailure)}</p>` : ''}
<form method="post" action="/health/verify" class="noprint"><input type="hidden" name="csrf" value="${ctx.csrf}"><button type="submit"${running ? html` disabled` : ''}>${ctx.t('health.start')}</button></form>`,
    running ? 2 : undefined,
  );
}
