import ipaddr from 'ipaddr.js';

/** How many keys (names typed by anybody, or addresses) are remembered at once. */
const MAX_TRACKED = 10_000;

interface Failures {
  count: number;
  last: number;
  lockedUntil: number;
}

/**
 * Lock-out after repeated failures, per key: `maxFailures` within `lockoutMs`
 * of each other lock it for `lockoutMs`, whatever is tried next. Pure, with
 * the clock passed in, so tests freeze it.
 *
 * Keys are typed by anybody, so the table is bounded — but a flood of bogus
 * keys must neither flush a lock nor tell which keys are accounts: every key
 * is treated alike. To make room, the entry whose last failure is oldest and
 * that is not locked is forgotten (a count not yet at the limit, the same for
 * any name); a locked entry never is. When every remembered key is locked,
 * keys not remembered are refused too until the first lock lifts: fail closed
 * (it takes `maxFailures` × 10,000 failures inside one lock-out).
 */
export class LoginGuard {
  /** In order of last failure, oldest first. */
  private readonly failures = new Map<string, Failures>();
  private readonly maxFailures: number;
  private readonly lockoutMs: number;
  private readonly maxTracked: number;

  constructor(maxFailures: number, lockoutMs: number, maxTracked = MAX_TRACKED) {
    this.maxFailures = maxFailures;
    this.lockoutMs = lockoutMs;
    this.maxTracked = maxTracked;
  }

  /** When the key's lock lifts (epoch ms), or undefined when it is not locked. */
  lockedUntil(key: string, now: number): number | undefined {
    const f = this.failures.get(key);
    if (f) return f.lockedUntil > now ? f.lockedUntil : undefined;
    return this.saturatedUntil(now);
  }

  /** Counts a failure; returns true when the key is (now) locked. */
  failed(key: string, now: number): boolean {
    let f = this.failures.get(key);
    this.failures.delete(key); // re-inserted last: the map's order is oldest failure first
    if (!f) {
      if (this.failures.size >= this.maxTracked && !this.forgetOne(now)) return true;
      f = { count: 0, last: now, lockedUntil: 0 };
    }
    // A lock that has lifted, or failures long ago, start the count again.
    if ((f.lockedUntil > 0 && f.lockedUntil <= now) || now - f.last >= this.lockoutMs) f.count = 0;
    f.count += 1;
    f.last = now;
    if (f.count >= this.maxFailures && f.lockedUntil <= now) f.lockedUntil = now + this.lockoutMs;
    this.failures.set(key, f);
    return f.lockedUntil > now;
  }

  succeeded(key: string): void {
    this.failures.delete(key);
  }

  /** Forgets the unlocked entry with the oldest failure; false when every entry is locked. */
  private forgetOne(now: number): boolean {
    for (const [key, f] of this.failures) {
      if (f.lockedUntil <= now) {
        this.failures.delete(key);
        return true;
      }
    }
    return false;
  }

  /** With the table full of locks, when the first lifts; otherwise undefined. */
  private saturatedUntil(now: number): number | undefined {
    if (this.failures.size < this.maxTracked) return undefined;
    let first = Infinity;
    for (const f of this.failures.values()) {
      if (f.lockedUntil <= now) return undefined;
      first = Math.min(first, f.lockedUntil);
    }
    return first;
  }
}

/**
 * The key an address's failures are counted under: an IPv4 address (IPv4-mapped
 * IPv6 included) as it is, an IPv6 address by its /64, since one host commonly
 * holds a whole /64 and could otherwise pick a fresh address per attempt.
 */
export function addressKey(remoteAddress: string | undefined): string {
  if (!remoteAddress || !ipaddr.isValid(remoteAddress)) return 'unknown address';
  const address = ipaddr.process(remoteAddress);
  if (address.kind() === 'ipv4') return address.toString();
  return `${(address as ipaddr.IPv6).toNormalizedString().split(':').slice(0, 4).join(':')}::/64`;
}
