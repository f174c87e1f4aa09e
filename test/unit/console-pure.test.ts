import { describe, expect, it } from 'vitest';
import { html, SafeHtml } from '../../broker/console/html.ts';
import { CATALOGS } from '../../broker/console/i18n.ts';
import { addressKey, LoginGuard } from '../../broker/console/login-guard.ts';
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

  it('a flood of bogus names neither flushes a lock nor tells accounts from other names: all are treated alike', () => {
    const guard = new LoginGuard(2, 60_000, 100);
    guard.failed('dpo.real', 0);
    expect(guard.failed('dpo.real', 1)).toBe(true);
    guard.failed('nobody', 2);
    expect(guard.failed('nobody', 3)).toBe(true);
    expect(guard.failed('half.way', 4)).toBe(false);
    for (let i = 0; i < 10_000; i++) guard.failed(`bogus.${i}`, 10 + i / 1_000);
    expect(guard.lockedUntil('dpo.real', 20)).toBe(60_001);
    expect(guard.lockedUntil('nobody', 20)).toBe(60_003);
    // An unlocked count is what goes to make room, whatever the name: one more failure does not lock it.
    expect(guard.failed('half.way', 21)).toBe(false);
  });

  it('when every remembered name is locked, refuses names it does not remember until the first lock lifts (fail closed)', () => {
    const guard = new LoginGuard(2, 60_000, 100);
    for (let i = 0; i < 100; i++) {
      guard.failed(`lock.${i}`, 1_000 + i);
      guard.failed(`lock.${i}`, 1_000 + i);
    }
    expect(guard.lockedUntil('fresh', 2_000)).toBe(61_000);
    expect(guard.failed('fresh', 2_000)).toBe(true);
    expect(guard.lockedUntil('fresh', 61_000)).toBeUndefined();
    expect(guard.failed('fresh', 61_000)).toBe(false);
    expect(guard.lockedUntil('lock.99', 61_000)).toBe(61_099);
  });

  it('forgets failures older than the lock-out: a few typos spread over a day never lock', () => {
    const guard = new LoginGuard(2, 60_000);
    expect(guard.failed('a', 0)).toBe(false);
    expect(guard.failed('a', 60_000)).toBe(false);
    expect(guard.failed('a', 119_999)).toBe(true);
  });

  it('counts an IPv4 address as itself (IPv4-mapped too) and an IPv6 address by its /64', () => {
    expect(addressKey('192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('2001:db8:1:2::5')).toBe(addressKey('2001:db8:1:2:ffff:1:2:3'));
    expect(addressKey('2001:db8:1:2::5')).not.toBe(addressKey('2001:db8:1:3::5'));
    expect(addressKey(undefined)).toBe('unknown address');
    expect(addressKey('not an address')).toBe('unknown address');
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
