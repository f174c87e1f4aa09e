import type { HubError } from '../../lib/errors/hub-error.ts';

const RETRY_SAFE = new WeakSet<HubError>();

/**
 * Marks a backend failure as safe to retry: the read failed before the backend
 * could have answered (connection refused, reset before a response) or the
 * backend said so itself (HTTP 502/503/504, SQL serialization failure). Only
 * marked failures are retried by the resilience layer; everything else, a
 * timeout included, goes back to the consumer at once.
 */
export function retrySafe(error: HubError): HubError {
  RETRY_SAFE.add(error);
  return error;
}

export function isRetrySafe(error: unknown): boolean {
  return typeof error === 'object' && error !== null && RETRY_SAFE.has(error as HubError);
}
