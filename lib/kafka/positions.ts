import type { Batch, Consumer } from 'kafkajs';

/**
 * Readers never assume contiguous offsets: a transaction's commit or abort
 * marker, aborted records and compaction take offsets that no data record
 * has. "Caught up" therefore means position ≥ end offset, where the position
 * counts every record fetched, data or not.
 */

/** The offset after everything `batch` fetched, markers and aborted records included. */
export function batchEnd(batch: Batch): number {
  return Number(batch.lastOffset()) + 1;
}

/** True when `batch` starts at or before `position`: it follows on, with nothing unseen between (not a stale fetch from before a seek). */
export function followsOn(batch: Batch, position: number): boolean {
  const first = batch.firstOffset();
  return first === null || Number(first) <= position;
}

export interface FetchedBatch {
  topic: string;
  partition: number;
  /** First offset the batch fetched (null when it held nothing at all). */
  firstOffset: number | null;
  /** The offset after the last record it fetched. */
  end: number;
}

/**
 * Calls `handler` after every batch the consumer fetched, including batches
 * that held only markers or aborted records: kafkajs never hands those to
 * eachBatch, yet they move the position on.
 */
export function onEveryBatch(consumer: Consumer, handler: (batch: FetchedBatch) => void): void {
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    const first = payload.firstOffset as string | null;
    handler({ topic: payload.topic, partition: payload.partition, firstOffset: first === null ? null : Number(first), end: Number(payload.lastOffset) + 1 });
  });
}

/** Positions per partition of one topic, moved on by every fetched batch. */
export class PartitionPositions {
  private readonly next = new Map<number, number>();

  constructor(consumer: Consumer, topic: string) {
    onEveryBatch(consumer, (b) => {
      if (b.topic === topic && (b.firstOffset === null || b.firstOffset <= this.of(b.partition))) this.advance(b.partition, b.end);
    });
  }

  of(partition: number): number {
    return this.next.get(partition) ?? 0;
  }

  advance(partition: number, next: number): void {
    if (next > this.of(partition)) this.next.set(partition, next);
  }
}
