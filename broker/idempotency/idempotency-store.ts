import { HubError } from '../../lib/errors/hub-error.ts';

interface Entry<T> {
  fingerprint: string;
  outcome: Promise<T>;
  expiresAt: number;
}

/** Thrown by the work function when it failed before anything was sent: the key is then forgotten. */
export class NotStarted extends Error {
  readonly reason: unknown;

  constructor(reason: unknown) {
    super('not started');
    this.reason = reason;
  }
}

/**
 * Client request ids, per calling agency. The same key with the same request
 * shares the first call's outcome — while it runs and after — so a retry never
 * causes a second transfer. The same key with a different request is refused.
 * Entries (and the record they may hold) are kept only for `ttlMs`.
 */
export class IdempotencyStore<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly sweeper: NodeJS.Timeout;

  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(ttlMs: number, maxEntries = 1_000_000, now: () => number = Date.now) {
    this.ttlMs = ttlMs;
    this.maxEntries = maxEntries;
    this.now = now;
    this.sweeper = setInterval(() => this.sweep(), Math.min(ttlMs, 10_000));
    this.sweeper.unref();
  }

  run(consumer: string, clientRequestId: string, fingerprint: string, work: () => Promise<T>): Promise<T> {
    const key = `${consumer}\u0000${clientRequestId}`;
    const existing = this.entries.get(key);
    if (existing && existing.expiresAt > this.now()) {
      if (existing.fingerprint !== fingerprint) {
        return Promise.reject(
          new HubError('ERR_IDEMPOTENCY_KEY_REUSED', 'client_request_id was already used for a different request; choose a new id'),
        );
      }
      return existing.outcome;
    }
    if (this.entries.size >= this.maxEntries) this.evictOldest();
    const outcome = work().catch((error: unknown) => {
      if (error instanceof NotStarted) {
        this.entries.delete(key);
        throw error.reason;
      }
      throw error;
    });
    outcome.catch(() => {});
    this.entries.set(key, { fingerprint, outcome, expiresAt: this.now() + this.ttlMs });
    return outcome;
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }

  private evictOldest(): void {
    const oldest = this.entries.keys().next();
    if (!oldest.done) this.entries.delete(oldest.value);
  }
}
