import { randomUUID } from 'node:crypto';
import type { Admin, EachBatchPayload } from 'kafkajs';
import { RECORD_DOMAINS } from '../../lib/crypto/record-signature.ts';
import { HubError } from '../../lib/errors/hub-error.ts';
import type { ErrorCode } from '../../lib/errors/error-codes.ts';
import { PartitionPositions } from '../../lib/kafka/positions.ts';
import { sendDeadLetter } from '../../lib/kafka/dead-letter.ts';
import { firstSchemaError } from '../../lib/schema-error.ts';
import { readConsentEvent, validateConsentEvent, type ConsentEvent, type GrantedEvent, type ReadConsentEvent, type RevokedEvent, type UsedEvent } from './consent-events.ts';
import { ConsentView, type UseVerdict } from './consent-view.ts';
import { LONG_POLL_MS } from '../../lib/kafka/long-poll.ts';
import { SupervisedConsumer } from '../../lib/kafka/supervised-consumer.ts';
import type { SignedTopicOptions } from '../../lib/kafka/signed-topic.types.ts';

export interface ConsentLogOptions extends SignedTopicOptions {
  /** How long the view may trail the topic before consent decisions stop. */
  lagToleranceMs?: number;
  startTimeoutMs?: number;
  /** Longest wait for a `used` event to come back from the topic before the exchange fails closed (bounded by its deadline). */
  useReadBackTimeoutMs?: number;
}

/**
 * Event-sourced consent state: publishes consent events to the consent topic
 * and materialises every event from it into a ConsentView. A node reads the
 * whole topic at start (a fresh consumer group each time, so the view is
 * always rebuilt from the full history) and serves consent decisions only
 * while its view has caught up with the topic's end. Anyone who may write the
 * topic could put events there: only events signed by a registered node are
 * applied; the rest are dead-lettered with their reason. A use of a consent is
 * decided by the log's order, so this node learns whether its own use counted
 * only by reading it back (`use`). "Caught up" compares
 * the position (which counts transaction markers) with the end offset, and a
 * view that cannot learn the end offset counts as stale: it fails closed.
 */
export class ConsentLog {
  readonly view: ConsentView;
  private consumer: SupervisedConsumer | undefined;
  private admin: Admin | undefined;
  private poller: NodeJS.Timeout | undefined;
  private started = false;
  private positions: PartitionPositions | undefined;
  private readonly high = new Map<number, number>();
  /** When the end offsets were last learned; older than the tolerance means stale. */
  private highKnownAt = 0;
  private readonly laggingSince = new Map<number, number>();
  /** This node's `used` events not yet read back, by event id. */
  private readonly waiting = new Map<string, (verdict: UseVerdict) => void>();

  private readonly options: ConsentLogOptions;

  constructor(options: ConsentLogOptions) {
    this.options = options;
    this.view = new ConsentView(() => this.isCurrent());
  }

  async start(): Promise<void> {
    const { kafka } = this.options;
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
    await this.startReading();
    await this.waitForCatchUp(this.options.startTimeoutMs ?? 60_000);
    this.started = true;
    this.poller = setInterval(() => void this.pollHighWatermarks().catch(() => {}), 200);
    this.poller.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.poller);
    await this.consumer?.stop();
    await this.admin?.disconnect();
  }

  /**
   * Reads the whole topic in a fresh group. A replacement (after a crash; see
   * SupervisedConsumer) carries on from the positions the view already holds:
   * records before them are fetched again but skipped, so none is applied or
   * dead-lettered twice. Until it has joined, the view counts as stale, even
   * with no new records to show it trails, since this node's own uses could
   * not be read back.
   */
  private async startReading(): Promise<void> {
    const { kafka, topic } = this.options;
    this.consumer = new SupervisedConsumer({
      name: 'consent topic',
      log: this.options.log,
      create: () => {
        const consumer = kafka.consumer({ groupId: `${this.options.groupPrefix}consent-view.${randomUUID()}`, maxWaitTimeInMs: LONG_POLL_MS, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
        const positions = new PartitionPositions(consumer, topic);
        for (const partition of this.high.keys()) positions.advance(partition, this.position(partition));
        this.positions = positions;
        consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => this.caughtUpCheck(payload.partition));
        return consumer;
      },
      begin: async (consumer) => {
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({ autoCommit: false, eachBatch: (payload) => this.onBatch(payload) });
      },
    });
    await this.consumer.start();
  }

  /** True when every partition has been read to the end, or has trailed it for less than the tolerance. */
  isCurrent(now = Date.now()): boolean {
    if (!this.started || this.consumer?.problem() !== undefined) return false;
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
   * Makes a grant or a withdrawal durable on the topic, applying it to this
   * node's view at once (so it takes effect here first).
   */
  async publish(event: GrantedEvent | RevokedEvent, key: string): Promise<void> {
    const value = this.signed(event);
    this.view.applyLocal(event);
    try {
      await this.options.producer.send(this.options.topic, { key, value });
    } catch (error) {
      this.view.undoLocal(event);
      throw new HubError('ERR_KAFKA_UNAVAILABLE', 'the consent event could not be made durable; nothing changed', { cause: error });
    }
  }

  /**
   * Spends one use of a consent for an exchange: writes the `used` event, then
   * waits until this node's consumer reads it back from the topic, after every
   * earlier event of the consent. Its verdict (counted, or refused because the
   * consent was revoked or used up before it in log order) is then the one
   * every node reaches. Not applied ahead of the log: two nodes, or two calls
   * here, that both saw a use left cannot both count it.
   *
   * Fails closed: ERR_KAFKA_UNAVAILABLE when the event cannot be written,
   * ERR_CONSENT_VIEW_STALE when it does not come back within the limit. The
   * use may still be spent then (the write may have landed), but nothing was sent.
   */
  async use(consentId: string, exchangeId: string, deadline: number): Promise<UseVerdict> {
    const event: UsedEvent = { v: 1, eventId: randomUUID(), type: 'used', at: Date.now(), consentId, exchangeId };
    const value = this.signed(event);
    const verdict = new Promise<UseVerdict>((resolve) => this.waiting.set(event.eventId, resolve));
    const limit = Math.max(1, Math.min(deadline - Date.now(), this.options.useReadBackTimeoutMs ?? 5_000));
    let timer: NodeJS.Timeout | undefined;
    // One limit for writing and reading back: a node cut off from Kafka answers within it, it never hangs.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HubError('ERR_CONSENT_VIEW_STALE', `this node could not confirm the consent use on the consent log within ${limit} ms; nothing was sent, but the use may be spent`)), limit);
    });
    try {
      const sent = this.options.producer.send(this.options.topic, { key: consentId, value }).catch((error: unknown) => {
        throw new HubError('ERR_KAFKA_UNAVAILABLE', 'the consent use could not be written to the consent log; nothing was sent', { cause: error });
      });
      sent.catch(() => {});
      await Promise.race([sent, timeout]);
      return await Promise.race([verdict, timeout]);
    } finally {
      clearTimeout(timer);
      this.waiting.delete(event.eventId);
    }
  }

  /**
   * The event signed, as it goes on the topic. An event the readers' schema
   * would refuse is not written: it would live on this node only and be
   * dead-lettered by every other node, at every start.
   */
  private signed(event: ConsentEvent): string {
    const value = this.options.signer.sign(RECORD_DOMAINS.consentEvent, event);
    // The event as a reader parses it from these bytes, not the object: that is what must pass.
    if (!validateConsentEvent(JSON.parse(value))) {
      const where = firstSchemaError(validateConsentEvent);
      this.options.log.error({ type: event.type, where }, 'consent event not written: it fails the schema its readers apply');
      throw new HubError('ERR_INTERNAL', `the consent event would be refused by every node that reads it (${where}); nothing changed`);
    }
    return value;
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    // A restarted consumer fetches from the start again: what the view holds already is not applied twice.
    const from = this.position(batch.partition);
    for (const message of batch.messages) {
      if (Number(message.offset) < from) continue;
      const read = this.read(message.value);
      if ('event' in read) {
        const verdict = this.view.apply(read.event);
        if (verdict) this.waiting.get(read.event.eventId)?.(verdict);
      } else await this.reject(read, batch.topic, batch.partition, message.offset, message.value);
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
