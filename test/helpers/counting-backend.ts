import type { Backend } from '../../connectors/backends/backend.types.ts';

/** Wraps a backend and counts what reaches it, per subject: how tests see transfers. */
export class CountingBackend implements Backend {
  /** Calls per subject. */
  readonly calls = new Map<string, number>();
  /** Calls per `recordType/subject`. */
  readonly byRecord = new Map<string, number>();

  private readonly inner: Backend;

  constructor(inner: Backend) {
    this.inner = inner;
  }

  get total(): number {
    return [...this.calls.values()].reduce((a, b) => a + b, 0);
  }

  fetch(recordType: string, subject: string, timeoutMs: number): Promise<Record<string, unknown> | undefined> {
    this.calls.set(subject, (this.calls.get(subject) ?? 0) + 1);
    const key = `${recordType}/${subject}`;
    this.byRecord.set(key, (this.byRecord.get(key) ?? 0) + 1);
    return this.inner.fetch(recordType, subject, timeoutMs);
  }
}
