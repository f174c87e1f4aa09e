import CircuitBreaker from 'opossum';
import { HubError, isHubError } from '../../../lib/errors/hub-error.ts';
import type { Backend } from '../backend.types.ts';

export type BreakerState = 'closed' | 'open' | 'half-open';

type FetchArgs = [recordType: string, subject: string, timeoutMs: number];
type FetchResult = Record<string, unknown> | undefined;

/** Only an outage counts: a not-found, a fault or a bad answer means the backend is up and answering. */
export function isOutage(error: unknown): boolean {
  return (
    isHubError(error) && (error.code === 'ERR_BACKEND_UNAVAILABLE' || error.code === 'ERR_BACKEND_TIMEOUT')
  );
}

/**
 * A circuit breaker that opens after N consecutive outages of one backend,
 * answers ERR_BACKEND_CIRCUIT_OPEN at once while open, and after the reset
 * time lets a single trial through: an answer closes it, an outage reopens it.
 *
 * opossum keeps the state machine (open, half-open with one trial, reset
 * timer). Its own trip rule, a failure percentage over a rolling window, is
 * switched off (a rate above 100% never happens) and replaced by a count of
 * consecutive outages; its own timeout is off too, as every fetch already
 * carries the request's deadline.
 */
export class ConsecutiveFailureBreaker {
  private readonly breaker: CircuitBreaker<FetchArgs, FetchResult>;
  private readonly threshold: number;
  private readonly resetMs: number;
  private readonly label: string;
  private consecutive = 0;
  private openedAt = 0;

  constructor(backend: Backend, options: { threshold: number; resetMs: number; label: string }) {
    this.threshold = options.threshold;
    this.resetMs = options.resetMs;
    this.label = options.label;
    this.breaker = new CircuitBreaker(
      (recordType: string, subject: string, timeoutMs: number) =>
        backend.fetch(recordType, subject, timeoutMs),
      {
        name: options.label,
        timeout: false,
        resetTimeout: options.resetMs,
        errorThresholdPercentage: 100,
        // Filtered errors count as successes: the backend answered.
        errorFilter: (error: unknown) => !isOutage(error),
        rollingPercentilesEnabled: false,
        enableSnapshots: false,
      },
    );
    this.breaker.on('failure', () => {
      this.consecutive += 1;
      if (this.consecutive >= this.threshold && this.breaker.closed) this.breaker.open();
    });
    this.breaker.on('success', () => {
      this.consecutive = 0;
    });
    this.breaker.on('open', () => {
      this.openedAt = Date.now();
    });
  }

  state(): BreakerState {
    if (this.breaker.opened) return 'open';
    return this.breaker.halfOpen ? 'half-open' : 'closed';
  }

  /** Fails at once while open, so a request does not wait in line for an answer known in advance. */
  refuseIfOpen(): void {
    if (this.breaker.opened) throw this.openError();
  }

  async fetch(...args: FetchArgs): Promise<FetchResult> {
    try {
      return await this.breaker.fire(...args);
    } catch (error) {
      if (!(error instanceof Error) || isHubError(error) || !CircuitBreaker.isOurError(error)) throw error;
      if (this.breaker.isShutdown)
        throw new HubError('ERR_BACKEND_UNAVAILABLE', `provider backend (${this.label}) is closed`);
      throw this.openError();
    }
  }

  shutdown(): void {
    this.breaker.shutdown();
  }

  private openError(): HubError {
    const failures = `${this.consecutive} consecutive failures`;
    if (this.breaker.halfOpen)
      return new HubError(
        'ERR_BACKEND_CIRCUIT_OPEN',
        `provider backend (${this.label}) unavailable: ${failures}; a trial fetch is under way`,
      );
    const seconds = Math.max(1, Math.ceil((this.openedAt + this.resetMs - Date.now()) / 1000));
    return new HubError(
      'ERR_BACKEND_CIRCUIT_OPEN',
      `provider backend (${this.label}) unavailable: ${failures}; next trial in ${seconds} s`,
    );
  }
}
