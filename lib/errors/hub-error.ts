import type { ErrorCode } from './error-codes.ts';

/**
 * The one error type of the hub. `code` is stable; `message` is for humans and
 * must never contain a citizen id, token, key or record content.
 */
export class HubError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HubError';
    this.code = code;
  }
}

export function isHubError(error: unknown): error is HubError {
  return error instanceof HubError;
}

/** Wraps anything thrown into a HubError, keeping the original as `cause`. */
export function toHubError(error: unknown, fallback: ErrorCode = 'ERR_INTERNAL'): HubError {
  if (isHubError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new HubError(fallback, message, { cause: error });
}
