import { html } from '../html.ts';
import { page, type PageContext } from './layout.ts';

export function loginPage(ctx: PageContext, error?: string): string {
  return page(
    ctx,
    ctx.t('login.heading'),
    html`<h1>${ctx.t('login.heading')}</h1>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form method="post" action="/login">
<input type="hidden" name="csrf" value="${ctx.csrf}">
<label for="user">${ctx.t('login.user')}</label><input id="user" name="user" autocomplete="username" required>
<label for="password">${ctx.t('login.password')}</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<label for="totp">${ctx.t('login.totp')}</label><input id="totp" name="totp" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required>
<p><button type="submit">${ctx.t('login.submit')}</button></p>
</form>`,
  );
}
