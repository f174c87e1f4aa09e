/**
 * Thrown by an exchange that failed before anything was sent to a provider:
 * its claim is released, so a retry with the same client request id may try
 * again. `reason` is what the caller is told.
 */
export class NotStarted extends Error {
  readonly reason: unknown;

  constructor(reason: unknown) {
    super('not started');
    this.reason = reason;
  }
}
