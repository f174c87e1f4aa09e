import pLimit, { type LimitFunction } from 'p-limit';
import pRetry from 'p-retry';
import { HubError } from '../../../lib/errors/hub-error.ts';
import type { Backend, BackendResilienceConfig } from '../backend.types.ts';
import { isRetrySafe } from '../retry-safety.ts';
import { ConsecutiveFailureBreaker, type BreakerState } from './consecutive-breaker.ts';
import { RESILIENCE_DEFAULTS } from './resilience-config-schema.ts';

export type { BreakerState } from './consecutive-breaker.ts';

/** A backend behind a concurrency limit, safe retries and a circuit breaker. */
export interface ResilientBackend extends Backend {
  /** For the metrics gauge: `open` answers ERR_BACKEND_CIRCUIT_OPEN, `half-open` lets one trial through. */
  breakerState(): BreakerState;
  close(): Promise<void>;
}

/**
 * A retry is made only if this much of the deadline is left after its
 * back-off: a shorter attempt could only time out, and a timeout counts
 * towards opening the breaker.
 */
const MIN_RETRY_MS = 10;

type Settings = Required<BackendResilienceConfig>;

/**
 * Wraps a backend so that a slow or failing agency system cannot take the
 * connector down with it. Each fetch, in order:
 * 1. fails at once with ERR_BACKEND_CIRCUIT_OPEN while the breaker is open;
 * 2. waits in line for one of `maxConcurrency` slots; that wait counts against
 *    its deadline, and a fetch whose deadline passes in line fails with
 *    ERR_BACKEND_TIMEOUT without ever reaching the backend;
 * 3. calls the backend, through the breaker, with the time that is left;
 * 4. on a failure marked retry-safe (retry-safety.ts), and only while the
 *    breaker is closed, tries again after a back-off (doubling from
 *    `retryBackoffMs`, with jitter) if the deadline leaves time for it; else
 *    the last error is returned. The slot is held across retries, so a
 *    failing backend sees fewer fetches, not more.
 * `label` names the backend (its type) in messages; it is not personal data.
 */
export function withResilience(
  backend: Backend,
  config: BackendResilienceConfig,
  label: string,
): ResilientBackend {
  const settings = resolveSettings(config);
  const limit = pLimit(settings.maxConcurrency);
  const breaker = new ConsecutiveFailureBreaker(backend, {
    threshold: settings.breakerFailureThreshold,
    resetMs: settings.breakerResetMs,
    label,
  });

  const attempts = (recordType: string, subject: string, deadline: number) => {
    let lastError: Error | undefined;
    return pRetry(
      async () => {
        const left = Math.floor(deadline - performance.now());
        // A retry whose timer fired late: end with the failure that caused it.
        if (lastError !== undefined && left < 1) throw lastError;
        return breaker.fetch(recordType, subject, Math.max(1, left));
      },
      {
        retries: settings.retries,
        minTimeout: settings.retryBackoffMs,
        factor: 2,
        randomize: true,
        shouldRetry: ({ error, retryDelay }) => {
          lastError = error;
          return (
            isRetrySafe(error) &&
            breaker.state() === 'closed' &&
            deadline - performance.now() - retryDelay >= MIN_RETRY_MS
          );
        },
      },
    );
  };

  return {
    async fetch(recordType, subject, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      breaker.refuseIfOpen();
      return inLine(limit, deadline, label, () => attempts(recordType, subject, deadline));
    },
    breakerState: () => breaker.state(),
    async close() {
      breaker.shutdown();
      await backend.close?.();
    },
  };
}

/**
 * Runs `work` when a slot is free, or fails with ERR_BACKEND_TIMEOUT when the
 * deadline passes first. p-limit cannot take a waiting task out of its
 * queue, so an expired task keeps its place but does nothing when its turn
 * comes: the backend never sees it.
 */
function inLine<T>(
  limit: LimitFunction,
  deadline: number,
  label: string,
  work: () => Promise<T>,
): Promise<T> {
  const queuedAt = performance.now();
  return new Promise<T>((resolve, reject) => {
    let expired = false;
    const expire = () => {
      expired = true;
      const waited = Math.round(performance.now() - queuedAt);
      reject(
        new HubError(
          'ERR_BACKEND_TIMEOUT',
          `provider backend (${label}): waited in line ${waited} ms behind ${limit.activeCount} fetches in flight; the deadline passed before its turn`,
        ),
      );
    };
    const timer = setTimeout(expire, Math.max(0, deadline - queuedAt));
    void limit(async () => {
      clearTimeout(timer);
      if (expired) return;
      if (deadline - performance.now() < 1) return expire();
      await work().then(resolve, reject);
    });
  });
}

function resolveSettings(config: BackendResilienceConfig): Settings {
  const pick = <K extends keyof Settings>(key: K): Settings[K] => config[key] ?? RESILIENCE_DEFAULTS[key];
  return {
    maxConcurrency: pick('maxConcurrency'),
    retries: pick('retries'),
    retryBackoffMs: pick('retryBackoffMs'),
    breakerFailureThreshold: pick('breakerFailureThreshold'),
    breakerResetMs: pick('breakerResetMs'),
  };
}
