import { createHash } from 'node:crypto';
import { html, SafeHtml } from '../html.ts';
import type { Lang } from '../i18n.ts';

export interface PageContext {
  lang: Lang;
  t: (key: string, values?: Record<string, string | number>) => string;
  /** The session's CSRF token: every form carries it. */
  csrf: string;
  /** Signed in as (for the header), when signed in. */
  user?: string;
  /** The current path, for the language switch. */
  path: string;
}

const STYLE = `body{font-family:Sarabun,Loma,Garuda,"Noto Sans Thai",sans-serif;margin:0;color:#1b1b1b}header{background:#12355b;color:#fff;padding:.6rem 1rem;display:flex;gap:1rem;align-items:center}header a{color:#fff}header button{color:#12355b;background:#fff;border:1px solid #fff}main{padding:1rem 1.5rem;max-width:72rem}label{display:block;margin:.5rem 0 .2rem;font-weight:600}input,select{font:inherit;padding:.3rem;min-width:20rem}button{font:inherit;padding:.35rem .9rem}table{border-collapse:collapse;margin-top:.5rem}th,td{border:1px solid #999;padding:.25rem .5rem;text-align:left;font-size:.92rem}.error{color:#a00;font-weight:600}.deferred{background:#fff3cd;padding:.4rem}:focus{outline:3px solid #f90}form.inline{display:inline}@media print{header,.noprint{display:none}body{font-size:10pt}th,td{border-color:#000}a{color:#000;text-decoration:none}}`;

/** The CSP source of the one inline stylesheet: no other style, and no script at all, may run. */
export const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

/** A whole page: one h1 per page, headings in order below it, no script. */
export function page(ctx: PageContext, title: string, body: SafeHtml, refreshSeconds?: number): string {
  const other: Lang = ctx.lang === 'th' ? 'en' : 'th';
  return html`<!doctype html>
<html lang="${ctx.lang}">
<head><meta charset="utf-8">${refreshSeconds ? html`<meta http-equiv="refresh" content="${refreshSeconds}">` : ''}<meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · ${ctx.t('title')}</title><style>${new SafeHtml(STYLE)}</style></head>
<body>
<header><span>${ctx.t('title')}</span>
${ctx.user ? html`<a href="/search">${ctx.t('nav.search')}</a><a href="/report">${ctx.t('nav.report')}</a><a href="/consents">${ctx.t('nav.consents')}</a><a href="/dashboard">${ctx.t('nav.dashboard')}</a><a href="/health">${ctx.t('nav.health')}</a><span>${ctx.user}</span><form class="inline" method="post" action="/logout"><input type="hidden" name="csrf" value="${ctx.csrf}"><button type="submit">${ctx.t('nav.logout')}</button></form>` : ''}
<a href="${ctx.path}${ctx.path.includes('?') ? '&' : '?'}lang=${other}" lang="${other}">${ctx.t('nav.language')}</a></header>
<main>${body}</main>
</body></html>`.text;
}
