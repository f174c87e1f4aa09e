import { Gauge, Histogram, type Registry } from 'prom-client';
import { isHubError } from '../../lib/errors/hub-error.ts';
import type { Backend } from './backend.types.ts';
import type { BreakerState } from './resilience/resilient-backend.ts';

const BREAKER_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

/**
 * Measures the agency backend as the connector sees it: fetch latency by
 * outcome (found, not-found or an error code) and the circuit breaker's state.
 * Labels are record types and codes only, never a subject.
 */
export function measureBackend(
  backend: Backend,
  registry: Registry,
  breakerState: () => BreakerState | undefined,
): Backend {
  const fetches = new Histogram({
    name: 'xhub_backend_fetch_seconds',
    help: 'Fetches from the agency backend (after mapping), by record type and outcome: found, not-found or the error code',
    labelNames: ['record_type', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new Gauge({
    name: 'xhub_backend_breaker_state',
    help: 'The backend circuit breaker: 0 closed, 1 half-open (one trial let through), 2 open (answering ERR_BACKEND_CIRCUIT_OPEN); absent for file and memory backends',
    registers: [registry],
    collect() {
      const state = breakerState();
      if (state) this.set(BREAKER_VALUE[state]);
    },
  });
  return {
    async fetch(recordType, subject, timeoutMs) {
      const done = fetches.startTimer({ record_type: recordType });
      try {
        const record = await backend.fetch(recordType, subject, timeoutMs);
        done({ outcome: record ? 'found' : 'not-found' });
        return record;
      } catch (error) {
        done({ outcome: isHubError(error) ? error.code : 'ERR_INTERNAL' });
        throw error;
      }
    },
  };
}
