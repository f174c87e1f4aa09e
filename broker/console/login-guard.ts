const MAX_TRACKED = 10_000;

/**
 * Lock-out after repeated failures, per account name (known or not): `maxFailures` in a row lock
 * it for `lockoutMs`, whatever the password tried next. Pure, with the clock
 * passed in, so tests freeze it.
 */
export class LoginGuard {
  private readonly failures = new Map<string, { count: number; lockedUntil: number }>();
  private readonly maxFailures: number;
  private readonly lockoutMs: number;

  constructor(maxFailures: number, lockoutMs: number) {
    this.maxFailures = maxFailures;
    this.lockoutMs = lockoutMs;
  }

  /** When the account's lock lifts (epoch ms), or undefined when it is not locked. */
  lockedUntil(account: string, now: number): number | undefined {
    const f = this.failures.get(account);
    return f && f.lockedUntil > now ? f.lockedUntil : undefined;
  }

  /** Counts a failure; returns true when it locks the account. */
  failed(account: string, now: number): boolean {
    // Names are typed by anybody: keep the table bounded by forgetting the oldest.
    if (this.failures.size >= MAX_TRACKED && !this.failures.has(account)) this.failures.delete(this.failures.keys().next().value!);
    const f = this.failures.get(account) ?? { count: 0, lockedUntil: 0 };
    if (f.lockedUntil > 0 && f.lockedUntil <= now) f.count = 0;
    f.count += 1;
    const locks = f.count >= this.maxFailures;
    if (locks) f.lockedUntil = now + this.lockoutMs;
    this.failures.set(account, f);
    return locks;
  }

  succeeded(account: string): void {
    this.failures.delete(account);
  }
}
