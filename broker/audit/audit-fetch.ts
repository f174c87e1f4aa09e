/**
 * Fetch settings of the consumers that follow the audit log (the sequencer and
 * the query index). They are off the exchange's critical path, so they let the
 * broker gather up to 64 KB, or wait 200 ms, per fetch: a few fetches a second
 * under load instead of one per produce request. Checkpoints still come well
 * within a second of their entries (the sequencer signs every 500 ms).
 */
export const AUDIT_FETCH = { minBytes: 64 * 1024, maxWaitTimeInMs: 200 } as const;
