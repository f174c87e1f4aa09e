import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, EachBatchPayload } from 'kafkajs';
import { RECORD_DOMAINS } from '../../lib/crypto/record-signature.ts';
import { HubError } from '../../lib/errors/hub-error.ts';
import type { ErrorCode } from '../../lib/errors/error-codes.ts';
import { PartitionPositions } from '../../lib/kafka/positions.ts';
import { sendDeadLetter } from '../../lib/kafka/dead-letter.ts';
import { firstSchemaError } from '../../lib/schema-error.ts';
import { readConsentEvent, validateConsentEvent, type ConsentEvent, type ReadConsentEvent } from './consent-events.ts';
import { ConsentView } from './consent-view.ts';
import { LONG_POLL_MS } from '../../lib/kafka/long-poll.ts';
import type { SignedTopicOptions } from '../../lib/kafka/signed-topic.types.ts';

export interface ConsentLogOptions extends SignedTopicOptions {
  /** How long the view may trail the topic before consent decisions stop. */
  lagToleranceMs?: number;
  startTimeoutMs?: number;
}

/**
 * Event-sourced consent state: publishes consent events to the consent topic
 * and materialises every event from it into a ConsentView. A node reads the
 * whole topic at start (a fresh consumer group each time, so the view is
 * always rebuilt from the full history) and serves consent decisions only
 * while its view has caught up with the topic's end. Anyone who may write the
 * topic could put events there: only events signed by a registered node are
 * applied; the rest are dead-lettered with their reason. "Caught up" compares
 * the position (which counts transaction markers) with the end offset, and a
 * view that cannot learn the end offset counts as stale: it fails closed.
 */
export class ConsentLog {
  readonly view: ConsentView;
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private poller: NodeJS.Timeout | undefined;
  private started = false;
  private positions: PartitionPositions | undefined;
  private readonly high = new Map<number, number>();
  /** When the end offsets were last learned; older than the tolerance means stale. */
  private highKnownAt = 0;
  private readonly laggingSince = new Map<number, number>();

  private readonly options: ConsentLogOptions;

  constructor(options: ConsentLogOptions) {
    this.options = options;
    this.view = new ConsentView(() => this.isCurrent());
  }

  async start(): Promise<void> {
    const { kafka, topic } = this.options;
    this.admin = kafka.admin();
    await this.admin.connect();
    // Right after the topic is created its leader may not be known yet.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.pollHighWatermarks();
        break;
      } catch (error) {
        if (attempt >= 10) throw error;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
    const consumer = kafka.consumer({ groupId: `${this.options.groupPrefix}consent-view.${randomUUID()}`, maxWaitTimeInMs: LONG_POLL_MS, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    this.consumer = consumer;
    this.positions = new PartitionPositions(consumer, topic);
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => this.caughtUpCheck(payload.partition));
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ autoCommit: false, eachBatch: (payload) => this.onBatch(payload) });
    await this.waitForCatchUp(this.options.startTimeoutMs ?? 60_000);
    this.started = true;
    this.poller = setInterval(() => void this.pollHighWatermarks().catch(() => {}), 200);
    this.poller.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.poller);
    await this.consumer?.disconnect();
    await this.admin?.disconnect();
  }

  /** True when every partition has been read to the end, or has trailed it for less than the tolerance. */
  isCurrent(now = Date.now()): boolean {
    if (!this.started) return false;
    const tolerance = this.options.lagToleranceMs ?? 1_000;
    // Without a recent end offset nobody knows whether the view trails: fail closed.
    if (now - this.highKnownAt >= tolerance) return false;
    for (const [partition, since] of this.laggingSince) {
      if (this.position(partition) < (this.high.get(partition) ?? 0) && now - since >= tolerance) return false;
    }
    return true;
  }

  /** Records on the consent topic not yet in the view, summed over partitions, as of the last end offsets learned. */
  lag(): number {
    let behind = 0;
    for (const [partition, high] of this.high) behind += Math.max(0, high - this.position(partition));
    return behind;
  }

  /** When the topic's end offsets were last learned (epoch ms; 0 before start). */
  endOffsetsKnownAt(): number {
    return this.highKnownAt;
  }

  private position(partition: number): number {
    return this.positions?.of(partition) ?? 0;
  }

  /**
   * Makes an event durable on the topic, applying it to this node's view at
   * once (so it takes effect here first). An event the readers' schema would
   * refuse is not written: it would live on this node only and be
   * dead-lettered by every other node, at every start.
   */
  async publish(event: ConsentEvent, key: string): Promise<void> {
    const value = this.options.signer.sign(RECORD_DOMAINS.consentEvent, event);
    // The event as a reader parses it from these bytes, not the object: that is what must pass.
    if (!validateConsentEvent(JSON.parse(value))) {
      const where = firstSchemaError(validateConsentEvent);
      this.options.log.error({ type: event.type, where }, 'consent event not written: it fails the schema its readers apply');
      throw new HubError('ERR_INTERNAL', `the consent event would be refused by every node that reads it (${where}); nothing changed`);
    }
    this.view.applyLocal(event);
    try {
      await this.options.producer.send(this.options.topic, { key, value });
    } catch (error) {
      this.view.undoLocal(event);
      throw new HubError('ERR_KAFKA_UNAVAILABLE', 'the consent event could not be made durable; nothing changed', { cause: error });
    }
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    for (const message of batch.messages) {
      const read = this.read(message.value);
      if ('event' in read) this.view.apply(read.event);
      else await this.reject(read, batch.topic, batch.partition, message.offset, message.value);
    }
    await payload.heartbeat();
  }

  private read(value: Buffer | null): ReadConsentEvent {
    return readConsentEvent(value ?? '', this.options.nodeKeys());
  }

  private async reject(read: { code: ErrorCode; reason: string }, topic: string, partition: number, offset: string, value: Buffer | null): Promise<void> {
    this.options.log.warn({ partition, offset, code: read.code, reason: read.reason }, 'consent event not applied: dead-lettered');
    this.options.onRejected?.(read.code);
    await sendDeadLetter(this.options.producer, this.options.deadLetterTopic, {
      code: read.code,
      message: read.reason,
      source: { topic, partition, offset },
      by: `node:${this.options.nodeId}`,
      value,
    }).catch((error: unknown) => this.options.log.error({ err: error }, 'dead letter for a refused consent event could not be written'));
  }

  private caughtUpCheck(partition: number): void {
    if (this.position(partition) >= (this.high.get(partition) ?? 0)) this.laggingSince.delete(partition);
  }

  private async pollHighWatermarks(): Promise<void> {
    const offsets = await this.admin!.fetchTopicOffsets(this.options.topic);
    const now = Date.now();
    this.highKnownAt = now;
    for (const { partition, high } of offsets) {
      const h = Number(high);
      this.high.set(partition, h);
      if (this.position(partition) < h) {
        if (!this.laggingSince.has(partition)) this.laggingSince.set(partition, now);
      } else this.laggingSince.delete(partition);
    }
  }

  private async waitForCatchUp(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ([...this.high].some(([p, h]) => this.position(p) < h)) {
      if (Date.now() > deadline) throw new HubError('ERR_KAFKA_UNAVAILABLE', `consent view did not catch up with ${this.options.topic} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
