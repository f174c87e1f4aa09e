import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { HubError } from '../../lib/errors/hub-error.ts';
import type { BatchingProducer } from '../../lib/kafka/batching-producer.ts';
import { sendDeadLetter } from '../../lib/kafka/dead-letter.ts';
import type { Logger } from '../../lib/log.ts';
import { validateConsentEvent, type ConsentEvent } from './consent-events.ts';
import { ConsentView } from './consent-view.ts';
import { LONG_POLL_MS } from '../../lib/kafka/long-poll.ts';

export interface ConsentLogOptions {
  kafka: Kafka;
  producer: BatchingProducer;
  topic: string;
  deadLetterTopic: string;
  nodeId: string;
  log: Logger;
  /** How long the view may trail the topic before consent decisions stop. */
  lagToleranceMs?: number;
  startTimeoutMs?: number;
}

/**
 * Event-sourced consent state: publishes consent events to the consent topic
 * and materialises every event from it into a ConsentView. A node reads the
 * whole topic at start (a fresh consumer group each time, so the view is
 * always rebuilt from the full history) and serves consent decisions only
 * while its view has caught up with the topic's end.
 */
export class ConsentLog {
  readonly view: ConsentView;
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private poller: NodeJS.Timeout | undefined;
  private started = false;
  private readonly next = new Map<number, number>();
  private readonly high = new Map<number, number>();
  private readonly laggingSince = new Map<number, number>();

  constructor(private readonly options: ConsentLogOptions) {
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
    const consumer = kafka.consumer({ groupId: `consent-view.${randomUUID()}`, maxWaitTimeInMs: LONG_POLL_MS, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    this.consumer = consumer;
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
    for (const [partition, since] of this.laggingSince) {
      if ((this.next.get(partition) ?? 0) < (this.high.get(partition) ?? 0) && now - since >= tolerance) return false;
    }
    return true;
  }

  /** Makes an event durable on the topic, applying it to this node's view at once (so it takes effect here first). */
  async publish(event: ConsentEvent, key: string): Promise<void> {
    this.view.applyLocal(event);
    try {
      await this.options.producer.send(this.options.topic, { key, value: JSON.stringify(event) });
    } catch (error) {
      this.view.undoLocal(event);
      throw new HubError('ERR_KAFKA_UNAVAILABLE', 'the consent event could not be made durable; nothing changed', { cause: error });
    }
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    for (const message of batch.messages) {
      const event = parse(message.value?.toString());
      if (event) this.view.apply(event);
      else {
        this.options.log.warn({ partition: batch.partition, offset: message.offset }, 'malformed consent event dead-lettered');
        await sendDeadLetter(this.options.producer, this.options.deadLetterTopic, {
          code: 'ERR_MESSAGE_MALFORMED',
          message: 'not a valid consent event',
          source: { topic: batch.topic, partition: batch.partition, offset: message.offset },
          by: `node:${this.options.nodeId}`,
          value: message.value,
        }).catch(() => {});
      }
      this.next.set(batch.partition, Number(message.offset) + 1);
    }
    if ((this.next.get(batch.partition) ?? 0) >= (this.high.get(batch.partition) ?? 0)) this.laggingSince.delete(batch.partition);
    await payload.heartbeat();
  }

  private async pollHighWatermarks(): Promise<void> {
    const offsets = await this.admin!.fetchTopicOffsets(this.options.topic);
    const now = Date.now();
    for (const { partition, high } of offsets) {
      const h = Number(high);
      this.high.set(partition, h);
      if ((this.next.get(partition) ?? 0) < h) {
        if (!this.laggingSince.has(partition)) this.laggingSince.set(partition, now);
      } else this.laggingSince.delete(partition);
    }
  }

  private async waitForCatchUp(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ([...this.high].some(([p, h]) => (this.next.get(p) ?? 0) < h)) {
      if (Date.now() > deadline) throw new HubError('ERR_KAFKA_UNAVAILABLE', `consent view did not catch up with ${this.options.topic} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

function parse(text: string | undefined): ConsentEvent | undefined {
  if (!text) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return validateConsentEvent(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
