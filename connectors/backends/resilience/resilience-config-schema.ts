import type { BackendResilienceConfig } from '../backend.types.ts';

/**
 * What a backend gets when its config says nothing: 16 fetches in flight
 * (an agency system is usually smaller than the hub), two retries from
 * 100 ms doubling, and a breaker that opens after 5 consecutive outages and
 * lets one trial through 10 s later.
 */
export const RESILIENCE_DEFAULTS: Readonly<Required<BackendResilienceConfig>> = Object.freeze({
  maxConcurrency: 16,
  retries: 2,
  retryBackoffMs: 100,
  breakerFailureThreshold: 5,
  breakerResetMs: 10_000,
});

/** JSON Schema properties of BackendResilienceConfig, spread into each remote backend's config schema. */
export const RESILIENCE_PROPERTIES = {
  maxConcurrency: { type: 'integer', minimum: 1, maximum: 1024 },
  retries: { type: 'integer', minimum: 0, maximum: 5 },
  retryBackoffMs: { type: 'integer', minimum: 1, maximum: 10_000 },
  breakerFailureThreshold: { type: 'integer', minimum: 1, maximum: 1000 },
  breakerResetMs: { type: 'integer', minimum: 100, maximum: 600_000 },
} as const;
