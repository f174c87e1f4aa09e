import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { SupervisedConsumer } from '../../lib/kafka/supervised-consumer.ts';
import type { KeyRing } from '../../lib/crypto/key-ring.ts';
import type { RequestEnvelope, ResponseEnvelope } from '../../lib/envelope/envelope.types.ts';
import { verifyResponseEnvelope } from '../../lib/envelope/response-envelope.ts';
import { HubError, toHubError } from '../../lib/errors/hub-error.ts';
import type { BatchingProducer } from '../../lib/kafka/batching-producer.ts';
import type { Logger } from '../../lib/log.ts';
import type { ErrorCode } from '../../lib/errors/error-codes.ts';
import { sendDeadLetter } from '../../lib/kafka/dead-letter.ts';
import { LONG_POLL_MS } from '../../lib/kafka/long-poll.ts';
import { EXCHANGE_ID_HEADER } from '../../lib/envelope/envelope.types.ts';
import { BULK_HEADER } from '../../lib/envelope/bulk/bulk.types.ts';

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;


/** The refusal of an exchange while this node reads no replies: nothing was sent, so a retry may try again. */
export function notReading(problem: string): HubError {
  return new HubError('ERR_KAFKA_UNAVAILABLE', `this node cannot receive providers' answers right now (${problem}); nothing was sent`);
}

export interface RoutedReply {
  response: ResponseEnvelope;
  responseJws: string;
  kid: string;
}

interface Pending {
  /** Checks a reply for this exchange (attacker-controlled): returns what it proves, or throws why not. */
  verify: (value: string) => Promise<unknown>;
  resolve: (reply: unknown) => void;
  reject: (error: HubError) => void;
  timer: NodeJS.Timeout;
  /** Why a reply for this exchange was refused, if one was: reported if no valid reply follows. */
  refused?: HubError;
}

export interface ReplyRouterOptions {
  kafka: Kafka;
  producer: BatchingProducer;
  replyTopic: string;
  deadLetterTopic: string;
  nodeId: string;
  groupId: string;
  /** Partitions of the reply topic, handled concurrently. */
  partitions?: number;
  keys: () => KeyRing;
  log: Logger;
  /** Called with the reply consumer before it runs: where metrics attach to its events. */
  observe?: (consumer: Consumer) => void;
}

/**
 * Request/reply over Kafka: produces a signed request to the provider's topic
 * and waits for the provider's signed reply on this node's reply topic. A reply
 * is accepted only for an exchange still waiting and only once it verifies;
 * a late reply (after the deadline) is dropped with a log line, and a reply
 * that fails verification is refused without ending the wait.
 */
export class ReplyRouter {
  private readonly pending = new Map<string, Pending>();
  private consumer: SupervisedConsumer | undefined;

  private readonly options: ReplyRouterOptions;

  constructor(options: ReplyRouterOptions) {
    this.options = options;
  }

  async start(): Promise<void> {
    const { kafka, replyTopic, groupId } = this.options;
    // Replies produced before this node started answer nobody: start the group
    // at the end of the topic. A group whose old member is still registered
    // keeps its committed offsets, and its stale replies are dropped as late.
    const admin = kafka.admin();
    await admin.connect();
    await admin.resetOffsets({ groupId, topic: replyTopic, earliest: false }).catch(() => {});
    await admin.disconnect();
    this.consumer = new SupervisedConsumer({
      name: 'reply topic',
      log: this.options.log,
      create: () => {
        const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: LONG_POLL_MS });
        this.options.observe?.(consumer);
        return consumer;
      },
      begin: async (consumer) => {
        await consumer.connect();
        await consumer.subscribe({ topic: replyTopic, fromBeginning: true });
        // Replies for different partitions are independent: handle them side by side.
        // Offsets of the reply topic matter little (a restarted node starts at the
        // end): commit them every few seconds rather than after every fetch.
        await consumer.run({
          partitionsConsumedConcurrently: this.options.partitions ?? 1,
          autoCommit: false,
          autoCommitInterval: 5_000,
          eachBatch: (payload) => this.onBatch(payload),
        });
      },
    });
    await this.consumer.start();
  }

  /** The problem once it has outlasted a rebalance or failover: for readiness and health. */
  lastingProblem(): string | undefined {
    return this.consumer ? this.consumer.lastingProblem() : 'the reply consumer has not started';
  }

  /** Waits out a passing gap in reading (at most `timeoutMs`): undefined once replies are read, else why not. */
  whenReading(timeoutMs: number): Promise<string | undefined> {
    return this.consumer ? this.consumer.whenReading(timeoutMs) : Promise.resolve('the reply consumer has not started');
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new HubError('ERR_KAFKA_UNAVAILABLE', 'node is shutting down'));
      this.pending.delete(id);
    }
  }

  /**
   * Sends the request and resolves with the verified reply, or rejects by
   * `deadline` (epoch ms). `partitionKey` keeps one subject's traffic ordered on
   * one partition: pass the subject's keyed pseudonym, never the citizen id.
   */
  exchange(request: RequestEnvelope, requestJws: string, topic: string, deadline: number, partitionKey: string): Promise<RoutedReply> {
    return this.request({ id: request.exchangeId, provider: request.provider, value: requestJws, topic, deadline, partitionKey }, async (jws) => {
      const { response, kid } = await verifyResponseEnvelope(jws, this.options.keys(), { request, requestJws });
      return { response, responseJws: jws, kid };
    });
  }

  /**
   * Sends `value` under the routing id `id` and resolves with what `verify`
   * makes of the first reply for that id that passes it, or rejects by
   * `deadline`. A reply that fails `verify` is dead-lettered and the wait goes on.
   */
  request<T>(
    sent: { id: string; provider: string; value: string; topic: string; deadline: number; partitionKey: string; headers?: Record<string, string> },
    verify: (value: string) => Promise<T>,
  ): Promise<T> {
    const { id, provider, deadline } = sent;
    // Callers wait for reading before deciding; this catches a gap that has since outlasted the grace. Nothing is sent.
    // (A passing gap is no reason to hold the request back: the group resumes from its committed offsets and reads the reply.)
    const problem = this.lastingProblem();
    if (problem) return Promise.reject(notReading(problem));
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        const refused = this.pending.get(id)?.refused;
        this.pending.delete(id);
        reject(refused ?? new HubError('ERR_DEADLINE_EXCEEDED', `provider ${provider} did not answer before the deadline`));
      }, Math.max(0, deadline - Date.now()));
      this.pending.set(id, { verify, resolve: resolve as (reply: unknown) => void, reject, timer });
      this.options.producer
        .send(sent.topic, {
          key: sent.partitionKey,
          value: sent.value,
          headers: { [EXCHANGE_ID_HEADER]: id, ...sent.headers },
        })
        .catch((error: unknown) => {
          if (!this.settle(id)) return;
          reject(toHubError(error, 'ERR_KAFKA_UNAVAILABLE'));
        });
    });
  }

  private settle(exchangeId: string): Pending | undefined {
    const p = this.pending.get(exchangeId);
    if (!p) return undefined;
    clearTimeout(p.timer);
    this.pending.delete(exchangeId);
    return p;
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    await Promise.all(
      batch.messages.map(async (m) => {
        const poison = await this.onReply(m.headers?.[EXCHANGE_ID_HEADER]?.toString(), m.value?.toString() ?? '', m.headers?.[BULK_HEADER] !== undefined);
        if (poison) {
          await sendDeadLetter(this.options.producer, this.options.deadLetterTopic, {
            ...poison,
            source: { topic: batch.topic, partition: batch.partition, offset: m.offset },
            by: `node:${this.options.nodeId}`,
            value: m.value,
          });
        }
      }),
    );
    const last = batch.messages.at(-1);
    if (last) payload.resolveOffset(last.offset);
    await payload.commitOffsetsIfNecessary();
    await payload.heartbeat();
  }

  /** Handles one reply; returns why it is poison (to dead-letter), if it is. */
  private async onReply(exchangeId: string | undefined, value: string, bulk: boolean): Promise<{ code: ErrorCode; message: string } | undefined> {
    const log = this.options.log;
    // A reply is a compact JWS, or a bulk reply (JSON carrying one): anything else is poison, waited for or not.
    const wellFormed = bulk ? value.startsWith('{') : COMPACT_JWS.test(value);
    if (exchangeId === undefined || !wellFormed) {
      log.warn({ exchangeId }, 'malformed reply dead-lettered');
      return { code: 'ERR_MESSAGE_MALFORMED', message: bulk ? 'bulk reply is not a JSON object with an exchange id header' : 'reply is not a compact JWS with an exchange id header' };
    }
    const p = this.pending.get(exchangeId);
    if (!p) {
      // Expected in bursts after a restart (replies to the old process): debug, not info.
      log.debug({ exchangeId }, 'reply for no waiting exchange dropped (late, duplicate or unknown)');
      return undefined;
    }
    try {
      const verified = await p.verify(value);
      if (!this.settle(exchangeId)) return;
      p.resolve(verified);
    } catch (error) {
      // The exchange id header is not authenticated: a forged reply must not
      // end the exchange, or anyone who can write the reply topic could abort
      // it. Keep waiting for the genuine reply; report the refusal at the deadline.
      const hubError = toHubError(error, 'ERR_PROVIDER_SIGNATURE_INVALID');
      log.warn({ exchangeId, code: hubError.code }, 'reply refused; still waiting for a valid one');
      p.refused = hubError;
      return { code: hubError.code, message: hubError.message };
    }
    return undefined;
  }
}
