import { randomUUID } from 'node:crypto';
import { KeyObject } from 'node:crypto';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { SigningKey } from '../../lib/crypto/keys.ts';
import type { BatchingProducer } from '../../lib/kafka/batching-producer.ts';
import { batchEnd, followsOn, onEveryBatch } from '../../lib/kafka/positions.ts';
import type { Logger } from '../../lib/log.ts';
import { formatCheckpoint } from '../../lib/merkle/checkpoint.ts';
import { CompactRange } from '../../lib/merkle/compact-range.ts';
import { leafHash } from '../../lib/merkle/hash.ts';
import { noteSigner, signNote, verifierOf, type NoteSigner } from '../../lib/merkle/signed-note.ts';
import { AUDIT_FETCH } from './audit-fetch.ts';
import { readCheckpointMessage, type CheckpointMessage } from './checkpoint-message.ts';
import { readTopic } from './read-topic.ts';

/** 8,192 leaf hashes are about 360 KB of base64: a checkpoint message stays far below 1 MB. */
const MAX_LEAVES_PER_CHECKPOINT = 8_192;

export interface SequencerOptions {
  /** A client and producer of the sequencer's own principal: it may read the audit log and write checkpoints, nothing else. */
  kafka: Kafka;
  producer: BatchingProducer;
  auditTopic: string;
  checkpointTopic: string;
  groupId: string;
  origin: string;
  hubKey: SigningKey;
  log: Logger;
  intervalMs?: number;
}

/**
 * Publishes signed checkpoints of the audit log. Every node runs one; the
 * audit topic's single partition goes to exactly one member of the group, so
 * exactly one sequences at a time. Whoever holds it rebuilds the tree from the
 * first entry, picks up after the last published checkpoint, and publishes a
 * new one at least every `intervalMs` while entries arrive. A second, stale
 * sequencer can only repeat what the log already determines.
 */
export class Sequencer {
  private consumer: Consumer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private signer: NoteSigner;
  private range = new CompactRange();
  private pending: Buffer[] = [];
  /** Signed checkpoints not yet on the topic, oldest first. */
  private ready: CheckpointMessage[] = [];
  /** Tree size of the newest checkpoint signed (published or ready). */
  private published = 0;
  private leading = false;
  private generation = 0;
  /** Topic offset after the last audit record read; ahead of the tree size once markers took offsets. */
  private position = 0;

  private readonly options: SequencerOptions;

  constructor(options: SequencerOptions) {
    this.options = options;
    this.signer = noteSigner(options.origin, KeyObject.from(options.hubKey.key));
  }

  async start(): Promise<void> {
    const { kafka, auditTopic, groupId } = this.options;
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000, ...AUDIT_FETCH });
    this.consumer = consumer;
    // Batches of transaction markers only never reach eachBatch, but move the position on.
    onEveryBatch(consumer, (b) => {
      if (this.leading && b.topic === auditTopic && b.firstOffset !== null && b.firstOffset <= this.position) this.position = Math.max(this.position, b.end);
    });
    await consumer.connect();
    await consumer.subscribe({ topic: auditTopic, fromBeginning: true });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const mine = (payload.memberAssignment[auditTopic] ?? []).includes(0);
      void this.lead(mine).catch((error: unknown) => this.options.log.error({ err: error }, 'sequencer could not take over'));
    });
    await consumer.run({ autoCommit: false, eachBatch: (payload) => this.onBatch(payload) });
    this.timer = setInterval(() => void this.publish().catch((error: unknown) => this.options.log.warn({ err: error }, 'checkpoint not published')), this.options.intervalMs ?? 500);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.leading = false;
    await this.consumer?.disconnect();
  }

  /** Becoming the sequencer: rebuild from entry 0 and continue after the last checkpoint. */
  private async lead(mine: boolean): Promise<void> {
    this.generation += 1;
    this.leading = false;
    if (!mine) {
      this.options.log.info('audit sequencer on standby: another node signs the checkpoints');
      return;
    }
    const generation = this.generation;
    let last = 0;
    const verifier = verifierOf(this.signer);
    await readTopic(this.options.kafka, this.options.checkpointTopic, `${this.options.groupId}.`, (value, offset) => {
      try {
        last = Math.max(last, readCheckpointMessage(value, verifier, this.options.origin).checkpoint.size);
      } catch (error) {
        // Not ours to fix: `xhub audit verify` reports it. A message the hub did not
        // sign must not move the tree size on, or sequencing would stall. Keep sequencing.
        this.options.log.warn({ offset, reason: (error as Error).message }, 'message on the checkpoint topic skipped');
      }
    });
    if (generation !== this.generation) return;
    this.range = new CompactRange();
    this.pending = [];
    this.ready = [];
    this.published = last;
    this.position = 0;
    this.leading = true;
    this.consumer!.seek({ topic: this.options.auditTopic, partition: 0, offset: '0' });
    this.options.log.info({ publishedSize: last }, 'audit sequencer active');
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    if (!this.leading) return;
    // A batch fetched before a seek took effect does not follow on from the position: skip it.
    if (!followsOn(payload.batch, this.position)) return;
    for (const message of payload.batch.messages) {
      if (payload.isStale()) return;
      if (Number(message.offset) < this.position) continue;
      this.position = Number(message.offset) + 1;
      // Every record is a leaf, signed or not: verifiers and DPO tools judge each entry; the tree only fixes the order.
      const leaf = leafHash(message.value ?? Buffer.alloc(0));
      this.range.append(leaf);
      if (this.range.size > this.published) this.pending.push(leaf);
      // Keep each checkpoint message well under Kafka's message size limit.
      if (this.pending.length >= MAX_LEAVES_PER_CHECKPOINT) this.sign();
    }
    this.position = Math.max(this.position, batchEnd(payload.batch));
    await payload.heartbeat();
  }

  /** Signs a checkpoint for the tree as it is now, with the leaves added since the last one. */
  private sign(): void {
    if (this.pending.length === 0) return;
    const size = this.range.size;
    const leaves = this.pending;
    this.pending = [];
    const note = signNote(formatCheckpoint({ origin: this.options.origin, size, root: this.range.root() }), this.signer);
    this.ready.push({ v: 1, note, from: size - leaves.length, leaves: leaves.map((l) => l.toString('base64')) });
    this.published = size;
  }

  private async publish(): Promise<void> {
    if (!this.leading) return;
    this.sign();
    while (this.ready.length > 0) {
      await this.options.producer.send(this.options.checkpointTopic, { key: randomUUID(), value: JSON.stringify(this.ready[0]) });
      this.ready.shift();
    }
  }
}
