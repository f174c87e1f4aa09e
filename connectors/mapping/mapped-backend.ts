import type { Backend } from '../backends/backend.types.ts';
import type { RecordMapper } from './compile-mappings.ts';

/** A backend whose raw answers come out as records of the hub's schemas. */
export class MappedBackend implements Backend {
  private readonly inner: Backend;
  private readonly mapper: RecordMapper;

  constructor(inner: Backend, mapper: RecordMapper) {
    this.inner = inner;
    this.mapper = mapper;
  }

  async fetch(
    recordType: string,
    subject: string,
    timeoutMs: number,
  ): Promise<Record<string, unknown> | undefined> {
    const raw = await this.inner.fetch(recordType, subject, timeoutMs);
    return raw && this.mapper.map(recordType, raw);
  }
}
