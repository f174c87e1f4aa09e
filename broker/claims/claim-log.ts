import { randomUUID } from 'node:crypto';
import type { EachBatchPayload } from 'kafkajs';
import { RECORD_DOMAINS, RecordBatcher } from '../../lib/crypto/record-signature.ts';
import type { ErrorCode } from '../../lib/errors/error-codes.ts';
import { withTimeout } from '../../lib/closer.ts';
import { HubError } from '../../lib/errors/hub-error.ts';
import { sendDeadLetter } from '../../lib/kafka/dead-letter.ts';
import { LONG_POLL_MS } from '../../lib/kafka/long-poll.ts';
import { SupervisedConsumer } from '../../lib/kafka/supervised-consumer.ts';
import type { SignedTopicOptions } from '../../lib/kafka/signed-topic.types.ts';
import { readClaimRecord, type ClaimRecord, type ClaimTopicRecord, type OutcomeRecord, type OutcomeResult, type ReadClaimRecord } from './claim-records.ts';
import { ClaimState, type ClaimVerdict, type Holder } from './claim-state.ts';

export interface ClaimLogOptions extends SignedTopicOptions {
  /** Longest wait for a claim to come back from the topic before the call fails closed. */
  readBackTimeoutMs?: number;
}

/**
 * The claims topic, written and read by every node: a claim is decided only
 * when this node has read it back from the topic, after every record before
 * it. The topic has one partition, so "before" is the same for every node,
 * and reading one's own claim back means the verdict saw the whole history,
 * however late this node started. Records not signed by a registered node are
 * dead-lettered, never applied.
 */
export class ClaimLog {
  readonly state = new ClaimState();
  private consumer: SupervisedConsumer | undefined;
  /** The offset after the last record applied (the topic has one partition): a replacement consumer skips what is below. */
  private next = 0n;
  private sweeper: NodeJS.Timeout | undefined;
  private readonly waiting = new Map<string, (verdict: ClaimVerdict) => void>();
  /** Outcomes being written: stop() lets them land before the producer closes. */
  private readonly recording = new Set<Promise<void>>();
  /** The exact bytes of records this node signed and has not yet read back: those need no second signature check. */
  private readonly own = new Map<string, ClaimTopicRecord & { nodeId: string }>();
  private readonly options: ClaimLogOptions;
  /** Claims and outcomes written in one turn of the event loop share one signature: every node checks each batch once. */
  private readonly batcher: RecordBatcher;

  constructor(options: ClaimLogOptions) {
    this.options = options;
    this.batcher = new RecordBatcher(options.signer, RECORD_DOMAINS.claim);
  }

  async start(): Promise<void> {
    const { kafka, topic } = this.options;
    this.consumer = new SupervisedConsumer({
      name: 'claims topic',
      log: this.options.log,
      // A fresh group each start: the state is rebuilt from the whole (retention-bounded) topic.
      // A replacement (after a crash) reads it again too, and skips what was applied (see onBatch).
      create: () => kafka.consumer({ groupId: `${this.options.groupPrefix}claims.${randomUUID()}`, maxWaitTimeInMs: LONG_POLL_MS, sessionTimeout: 10_000, heartbeatInterval: 1_000 }),
      begin: async (consumer) => {
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({ autoCommit: false, eachBatch: (payload) => this.onBatch(payload) });
      },
    });
    await this.consumer.start();
    this.sweeper = setInterval(() => this.state.sweep(Date.now()), 30_000);
    this.sweeper.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.sweeper);
    // An outcome still on its way would leave its request unknown for the idempotency window.
    await withTimeout(Promise.allSettled([...this.recording]), 5_000, '').catch(() => this.options.log.warn({ outcomes: this.recording.size }, 'stopping with outcomes not yet on the claims topic: their requests stay unknown'));
    await this.consumer?.stop();
  }

  /** The problem once it has outlasted a rebalance or failover: for readiness and health. */
  lastingProblem(): string | undefined {
    return this.consumer ? this.consumer.lastingProblem() : 'the claims consumer has not started';
  }

  /**
   * Writes a claim and waits until it is read back in order: its verdict is
   * then what every node will conclude. Fails closed (ERR_KAFKA_UNAVAILABLE)
   * when the claim cannot be written or does not come back in time.
   */
  async claim(body: Omit<ClaimRecord, 'v' | 'type' | 'claimId' | 'at'>, deadline: number): Promise<{ claimId: string; verdict: ClaimVerdict }> {
    // Not reading the topic, this node could not read its claim back: wait out a passing gap (a rebalance),
    // refuse a lasting one at once rather than at the timeout.
    const reading = this.consumer ? await this.consumer.whenReading(Math.max(0, deadline - Date.now())) : 'the claims consumer has not started';
    if (reading) throw new HubError('ERR_KAFKA_UNAVAILABLE', `this node cannot decide claims right now (${reading}); nothing was done`);
    const record: ClaimRecord = { v: 1, type: 'claim', claimId: randomUUID(), at: Date.now(), ...body };
    const verdict = new Promise<ClaimVerdict>((resolve) => this.waiting.set(record.claimId, resolve));
    const limit = Math.max(1, Math.min(deadline - Date.now(), this.options.readBackTimeoutMs ?? 5_000));
    let timer: NodeJS.Timeout | undefined;
    // One limit for writing and reading back: a node cut off from Kafka answers within it, it never hangs.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HubError('ERR_KAFKA_UNAVAILABLE', `this node could not confirm its claim on the claims topic within ${limit} ms (Kafka unreachable or slow); nothing was done`)), limit);
    });
    try {
      const sent = this.send(record.claimId, record);
      sent.catch(() => {});
      await Promise.race([sent, timeout]);
      return { claimId: record.claimId, verdict: await Promise.race([verdict, timeout]) };
    } catch (error) {
      // The caller is told nothing was done, and it stays so: but the producer
      // keeps retrying, so a claim given up on may still land once the link
      // returns, and would hold its request (no outcome) until its deadline,
      // making every retry wait. Its release, queued right behind it on the
      // one partition, frees the request the moment it lands.
      if (record.request) this.outcome(record.claimId, record.request.key, { kind: 'released' }).catch(() => {});
      throw error;
    } finally {
      clearTimeout(timer);
      this.waiting.delete(record.claimId);
    }
  }

  /** Closes a request claim this node holds: what a retry, on any node, will be answered with. */
  async outcome(claimId: string, requestKey: string, result: OutcomeResult): Promise<void> {
    const record: OutcomeRecord = { v: 1, type: 'outcome', claimId, at: Date.now(), requestKey, result };
    const sent = this.send(requestKey, record);
    this.recording.add(sent);
    try {
      await sent;
    } finally {
      this.recording.delete(sent);
    }
  }

  /** Resolves with the holder once it has an outcome, or undefined at the deadline. */
  waitForOutcome(requestKey: string, deadline: number): Promise<Holder | undefined> {
    const now = this.state.holder(requestKey);
    if (now?.outcome) return Promise.resolve(now);
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(undefined), Math.max(0, deadline - Date.now()));
      const stop = this.state.onOutcome(requestKey, (holder) => done(holder));
      const done = (holder: Holder | undefined) => {
        clearTimeout(timer);
        stop();
        resolve(holder);
      };
    });
  }

  private async send(key: string, record: ClaimRecord | OutcomeRecord): Promise<void> {
    const value = await this.batcher.sign(record);
    this.own.set(value, { ...record, nodeId: this.options.nodeId });
    try {
      await this.options.producer.send(this.options.topic, { key, value });
    } catch (cause) {
      this.own.delete(value);
      throw new HubError('ERR_KAFKA_UNAVAILABLE', 'the claim could not be written to the claims topic; nothing was done', { cause });
    }
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    for (const message of batch.messages) {
      const offset = BigInt(message.offset);
      if (offset < this.next) continue;
      const read = this.read(message.value);
      if ('record' in read) {
        const verdict = this.state.apply(read.record);
        if (verdict && read.record.type === 'claim') this.waiting.get(read.record.claimId)?.(verdict);
      } else await this.reject(read, batch.partition, message.offset, message.value);
      this.next = offset + 1n;
    }
    await payload.heartbeat();
  }

  /** Bytes identical to what this node just signed are its own record; anything else is verified in full. */
  private read(value: Buffer | null): ReadClaimRecord {
    const text = value?.toString('utf8') ?? '';
    const mine = this.own.get(text);
    if (mine) {
      this.own.delete(text);
      return { record: mine };
    }
    return readClaimRecord(text, this.options.nodeKeys());
  }

  private async reject(read: { code: ErrorCode; reason: string }, partition: number, offset: string, value: Buffer | null): Promise<void> {
    this.options.log.warn({ partition, offset, code: read.code, reason: read.reason }, 'claim record not applied: dead-lettered');
    this.options.onRejected?.(read.code);
    await sendDeadLetter(this.options.producer, this.options.deadLetterTopic, {
      code: read.code,
      message: read.reason,
      source: { topic: this.options.topic, partition, offset },
      by: `node:${this.options.nodeId}`,
      value,
    }).catch((error: unknown) => this.options.log.error({ err: error }, 'dead letter for a refused claim record could not be written'));
  }
}
