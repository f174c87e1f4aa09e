/**
 * Remembers ids until they expire, to reject a second use (token jti,
 * envelope exchange id). Memory is bounded by the id lifetime times the rate:
 * expired ids are swept periodically.
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();
  private readonly sweeper: NodeJS.Timeout;

  private readonly now: () => number;

  constructor(sweepEveryMs = 5_000, now: () => number = Date.now) {
    this.now = now;
    this.sweeper = setInterval(() => this.sweep(), sweepEveryMs);
    this.sweeper.unref();
  }

  /** True the first time `id` is seen before `expiresAt` (epoch ms); false on a replay. */
  firstUse(id: string, expiresAt: number): boolean {
    const known = this.seen.get(id);
    if (known !== undefined && known > this.now()) return false;
    this.seen.set(id, expiresAt);
    return true;
  }

  /** Forgets an id whose use did not complete, so a retry of the same message is not taken for a replay. */
  forget(id: string): void {
    this.seen.delete(id);
  }

  sweep(): void {
    const now = this.now();
    for (const [id, expiresAt] of this.seen) if (expiresAt <= now) this.seen.delete(id);
  }

  close(): void {
    clearInterval(this.sweeper);
  }
}
