import { describe, expect, it } from 'vitest';
import { html, SafeHtml } from '../../broker/console/html.ts';
import { CATALOGS } from '../../broker/console/i18n.ts';
import { LoginGuard } from '../../broker/console/login-guard.ts';
import { csrfMatches, Sessions } from '../../broker/console/sessions.ts';

describe('DPO console, pure parts', () => {
  it('every message exists in Thai and in English', () => {
    expect(Object.keys(CATALOGS.th).sort()).toEqual(Object.keys(CATALOGS.en).sort());
    for (const lang of ['th', 'en'] as const) expect(Object.entries(CATALOGS[lang]).filter(([, v]) => !v.trim())).toEqual([]);
  });

  it('locks an account after N failures in a row until the lock-out ends (frozen clock), and a success resets the count', () => {
    const guard = new LoginGuard(3, 60_000);
    expect(guard.failed('a', 0)).toBe(false);
    guard.succeeded('a');
    expect(guard.failed('a', 1)).toBe(false);
    expect(guard.failed('a', 2)).toBe(false);
    expect(guard.failed('a', 3)).toBe(true);
    expect(guard.lockedUntil('a', 59_000)).toBe(60_003);
    expect(guard.lockedUntil('b', 59_000)).toBeUndefined();
    expect(guard.lockedUntil('a', 60_003)).toBeUndefined();
    // After the lock lifts, the count starts again.
    expect(guard.failed('a', 70_000)).toBe(false);
  });

  it('ends a session after the idle timeout (frozen clock), and checks CSRF tokens exactly', () => {
    const sessions = new Sessions(1_000);
    const s = sessions.create(0, 'th', { name: 'dpo', agency: 'PDPC' });
    expect(sessions.get(s.id, 900)?.user?.name).toBe('dpo');
    expect(sessions.get(s.id, 1_800)).toBeDefined();
    expect(sessions.get(s.id, 2_801)).toBeUndefined();
    expect(sessions.get(s.id, 2_802)).toBeUndefined();
    expect(csrfMatches(s, s.csrf)).toBe(true);
    expect(csrfMatches(s, `${s.csrf}x`)).toBe(false);
    expect(csrfMatches(s, null)).toBe(false);
    expect(csrfMatches(undefined, s.csrf)).toBe(false);
  });

  it('escapes every interpolated value: attacker-controlled text stays text', () => {
    expect(html`<td>${'<script>alert(1)</script>'}</td><a href="${'" onclick="x'}">`.text).toBe('<td>&lt;script&gt;alert(1)&lt;/script&gt;</td><a href="&quot; onclick=&quot;x">');
    expect(html`<p>${new SafeHtml('<b>ok</b>')}</p>`.text).toBe('<p><b>ok</b></p>');
  });
});
