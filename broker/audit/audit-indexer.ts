import { randomUUID } from 'node:crypto';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { NodeKeyLookup } from '../../lib/crypto/record-signature.ts';
import type { ErrorCode } from '../../lib/errors/error-codes.ts';
import { batchEnd, followsOn, onEveryBatch } from '../../lib/kafka/positions.ts';
import type { Logger } from '../../lib/log.ts';
import type { NoteVerifier } from '../../lib/merkle/signed-note.ts';
import { AUDIT_FETCH } from './audit-fetch.ts';
import type { AuditEntry } from './audit-entry.types.ts';
import { readAuditEntry } from './audit-schema.ts';
import type { AuditIndex } from './audit-index.ts';
import { readCheckpointMessage } from './checkpoint-message.ts';

/** Whose keys make an entry a hub fact, the node's consumer-group prefix, and where refusals are reported. */
interface IndexedEntries {
  keys: () => NodeKeyLookup;
  groupPrefix: string;
  onRejected?: (code: ErrorCode, index: number, reason: string, raw: Buffer, offset: number) => void;
}

/**
 * Keeps the query index up to date with the audit and checkpoint topics,
 * resuming after the last record the index holds. Entries are indexed as they
 * are in the log, in order; one that no registered node signed, or that is
 * malformed, keeps its place (so indexes stay equal to Merkle leaf indexes)
 * but is never served as a fact, and is reported once through `onRejected`.
 * Transaction markers take offsets but are no entries: the index keeps the
 * topic position apart from the log index.
 */
export class AuditIndexer {
  private consumer: Consumer | undefined;

  private watchdog: NodeJS.Timeout | undefined;
  /** Since when the newest indexed entries have had no signed checkpoint (undefined: all covered). */
  private unsignedSince: number | undefined;
  private warned = false;
  /** Tree size of the newest checkpoint seen by the last check. */
  private lastSigned = 0;

  /**
   * `overdueMs`: how long entries may go without a checkpoint before the node
   * warns that no sequencer seems to be running (every node may have
   * auditSequencer off, or the sequencer may be stuck).
   */
  private readonly kafka: Kafka;
  private readonly index: AuditIndex;
  private readonly topics: { audit: string; checkpoints: string };
  /** Whose signature a checkpoint needs, under which log name. */
  private readonly checkpoints: { verifier: NoteVerifier; origin: string };
  private readonly log: Logger;
  private readonly overdueMs: number;
  private readonly entries: IndexedEntries;

  constructor(
    kafka: Kafka,
    index: AuditIndex,
    topics: { audit: string; checkpoints: string },
    checkpoints: { verifier: NoteVerifier; origin: string },
    log: Logger,
    overdueMs = 10_000,
    entries: IndexedEntries = { keys: () => () => undefined, groupPrefix: '' },
  ) {
    this.kafka = kafka;
    this.index = index;
    this.topics = topics;
    this.checkpoints = checkpoints;
    this.log = log;
    this.overdueMs = overdueMs;
    this.entries = entries;
  }

  async start(): Promise<void> {
    const consumer = this.kafka.consumer({ groupId: `${this.entries.groupPrefix}audit-index.${randomUUID()}`, maxBytes: 20 * 1024 * 1024, ...AUDIT_FETCH });
    this.consumer = consumer;
    // Batches of markers only never reach eachBatch, but move the position on.
    onEveryBatch(consumer, (b) => {
      if (b.topic === this.topics.audit && b.firstOffset !== null && b.firstOffset <= this.index.nextOffset() && b.end > this.index.nextOffset()) this.index.add(this.index.nextIndex(), [], b.end);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topics.audit, this.topics.checkpoints], fromBeginning: true });
    await consumer.run({ autoCommit: false, eachBatch: (payload) => this.onBatch(payload) });
    consumer.seek({ topic: this.topics.audit, partition: 0, offset: String(this.index.nextOffset()) });
    this.watchdog = setInterval(() => this.checkSigned(), Math.max(50, this.overdueMs / 2));
    this.watchdog.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.watchdog);
    await this.consumer?.disconnect();
  }

  /**
   * Warns once per episode when entries wait for a checkpoint and none has
   * come for too long. Under steady load there is always a short unsigned tail;
   * what matters is that checkpoints stop advancing.
   */
  private checkSigned(now = Date.now()): void {
    const indexed = this.index.nextIndex();
    const signed = this.index.latestCheckpoint()?.size ?? 0;
    if (indexed <= signed || signed !== this.lastSigned) {
      if (this.warned) this.log.info({ signed }, 'audit checkpoints are being signed again');
      this.lastSigned = signed;
      this.unsignedSince = indexed <= signed ? undefined : now;
      this.warned = false;
      return;
    }
    this.unsignedSince ??= now;
    if (!this.warned && now - this.unsignedSince >= this.overdueMs) {
      this.warned = true;
      this.log.warn(
        { indexed, signed, overdueMs: this.overdueMs },
        'audit entries have had no signed checkpoint for too long: is a node with auditSequencer on running?',
      );
    }
  }


  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (batch.topic === this.topics.checkpoints) {
      for (const m of batch.messages) this.addCheckpoint(m.value);
    } else {
      const position = this.index.nextOffset();
      // A batch from before the seek took effect, or one past a gap not yet read: skip it.
      if (followsOn(batch, position) && batchEnd(batch) > position) {
        const first = this.index.nextIndex();
        const fresh = batch.messages.filter((m) => Number(m.offset) >= position);
        const seen = new Set<string>();
        this.index.add(
          first,
          fresh.map((m, i) => ({ raw: m.value ?? Buffer.alloc(0), entry: this.believe(m.value ?? Buffer.alloc(0), first + i, Number(m.offset), seen) })),
          batchEnd(batch),
        );
      }
    }
    await payload.heartbeat();
  }

  private believe(raw: Buffer, index: number, offset: number, seenInBatch: Set<string>): AuditEntry | undefined {
    const read = readAuditEntry(raw, this.entries.keys());
    // A genuine entry written again (a replay) is one fact, not two: only its first copy is served.
    if ('entry' in read && (seenInBatch.has(read.entry.id) || this.index.hasEntry(read.entry.id))) return this.refuse({ code: 'ERR_RECORD_REPLAYED', reason: `repeats an earlier entry with id ${read.entry.id}` }, index, offset, raw);
    if ('entry' in read) {
      seenInBatch.add(read.entry.id);
      return read.entry;
    }
    return this.refuse(read, index, offset, raw);
  }

  private refuse(read: { code: ErrorCode; reason: string }, index: number, offset: number, raw: Buffer): undefined {
    const { code } = read;
    this.log.warn({ index, code, reason: read.reason }, 'audit entry is not a signed hub fact: indexed as unverified, never served');
    this.entries.onRejected?.(code, index, read.reason, raw, offset);
    return undefined;
  }

  private addCheckpoint(value: Buffer | null): void {
    try {
      const { message, checkpoint } = readCheckpointMessage(value ?? '', this.checkpoints.verifier, this.checkpoints.origin);
      this.index.addCheckpoint(checkpoint.size, message.note, checkpoint.root);
    } catch (error) {
      // Only hub-signed checkpoints are served to auditors.
      this.log.warn({ reason: (error as Error).message }, 'checkpoint message skipped by the query index');
    }
  }
}
