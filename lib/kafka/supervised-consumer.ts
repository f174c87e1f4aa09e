import type { Consumer } from 'kafkajs';
import { withTimeout } from '../closer.ts';
import { HubError } from '../errors/hub-error.ts';
import type { Logger } from '../log.ts';

export interface SupervisedConsumerOptions {
  /** What the consumer reads, for logs and for the reason `problem()` gives: "reply topic", "claims topic"… */
  name: string;
  log: Logger;
  /** A new consumer, with any per-consumer hooks (metrics, positions) attached; called again for each replacement. */
  create: () => Consumer;
  /** Connects, subscribes and runs `consumer`. */
  begin: (consumer: Consumer) => Promise<void>;
  /** How long the first consumer may take to join its group before start() fails. */
  joinTimeoutMs?: number;
  /** Wait before a replacement is started, and between failed replacements. */
  restartDelayMs?: number;
  /**
   * How long a gap in reading counts as passing (a rebalance, a broker
   * failover, kafkajs restarting the consumer): `whenReading` waits it out,
   * `lastingProblem` reports only gaps older than this. Default 10 s.
   */
  graceMs?: number;
}

/** Default of `graceMs`: about a session timeout, the time a group takes to settle after a member or broker goes. */
export const READING_GRACE_MS = 10_000;

/**
 * A consumer that keeps reading, and says when it is not. kafkajs restarts a
 * consumer after errors it deems passing; after the others (an ACL taken
 * away, a group it may no longer join) it stops for good and says so only in
 * a CRASH event. A node that went on without, say, its reply consumer would
 * keep asking providers and never hand out an answer. So from a crash until a
 * consumer has joined its group again, `problem()` says why nothing is being
 * read, and a consumer kafkajs gave up on is replaced, again until one runs.
 *
 * Most gaps pass within seconds (a broker failover moves the group's
 * coordinator; the group rebalances). Callers that must not act while nothing
 * is read wait for the gap to close (`whenReading`), for at most `graceMs`
 * from its start; readiness and health report only a gap that outlasted it
 * (`lastingProblem`), so a failover does not take every node out of service.
 */
export class SupervisedConsumer {
  private consumer: Consumer | undefined;
  private reading = false;
  private stopping = false;
  private reason = 'not yet in its consumer group';
  private notReadingSince = Date.now();
  private readonly waiters = new Set<() => void>();
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly options: SupervisedConsumerOptions;

  constructor(options: SupervisedConsumerOptions) {
    this.options = options;
  }

  /** Starts the first consumer and waits until it has joined its group; throws (start-up fails) otherwise. */
  async start(): Promise<void> {
    const timeoutMs = this.options.joinTimeoutMs ?? 60_000;
    const consumer = this.options.create();
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await this.run(consumer);
    await withTimeout(joined, timeoutMs, '', () => new HubError('ERR_KAFKA_UNAVAILABLE', `the ${this.options.name} consumer did not join its group within ${timeoutMs} ms`));
  }

  /** Why nothing is being read right now, or undefined while the consumer is in its group and reading. */
  problem(): string | undefined {
    if (this.stopping) return `the ${this.options.name} consumer is stopping`;
    return this.reading ? undefined : `the ${this.options.name} consumer is not reading: ${this.reason}`;
  }

  /** The problem, once nothing has been read for longer than `graceMs`: for readiness and health. */
  lastingProblem(now = Date.now()): string | undefined {
    const problem = this.problem();
    if (problem === undefined || this.stopping) return problem;
    const graceMs = this.options.graceMs ?? READING_GRACE_MS;
    return now - this.notReadingSince >= graceMs ? `${problem} (for ${Math.round((now - this.notReadingSince) / 1000)} s)` : undefined;
  }

  /**
   * Resolves undefined once the consumer reads (at once if it does), or with
   * the problem if it does not within `timeoutMs`, or by the end of the grace
   * since the gap began (at once for a gap that already outlasted it).
   */
  async whenReading(timeoutMs: number): Promise<string | undefined> {
    if (this.problem() === undefined || this.stopping) return this.problem();
    const waitMs = Math.min(timeoutMs, this.notReadingSince + (this.options.graceMs ?? READING_GRACE_MS) - Date.now());
    if (waitMs > 0) {
      let wake!: () => void;
      const woken = new Promise<void>((resolve) => (wake = resolve));
      this.waiters.add(wake);
      const timer = setTimeout(wake, waitMs);
      try {
        await woken;
      } finally {
        clearTimeout(timer);
        this.waiters.delete(wake);
      }
    }
    return this.problem();
  }

  /** The consumer running now (a replacement after a crash is another one). */
  current(): Consumer | undefined {
    return this.consumer;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    for (const wake of this.waiters) wake();
    await this.consumer?.disconnect();
  }

  private async run(consumer: Consumer): Promise<void> {
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (consumer !== this.consumer) return;
      this.reading = true;
      for (const wake of this.waiters) wake();
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => this.crashed(consumer, payload.error, payload.restart));
    try {
      await this.options.begin(consumer);
      // A replacement that came up while stopping must not outlive the stop.
      if (this.stopping) await consumer.disconnect();
    } catch (error) {
      await consumer.disconnect().catch(() => {});
      throw error;
    }
  }

  private crashed(consumer: Consumer, error: Error, restarts: boolean): void {
    if (consumer !== this.consumer || this.stopping) return;
    if (this.reading) this.notReadingSince = Date.now();
    this.reading = false;
    // kafkajs's messages name topics, groups and brokers, never a record's content.
    this.reason = `crashed (${error.message}); ${restarts ? 'kafkajs is restarting it' : 'a new one is being started'}`;
    this.options.log.error({ err: error, restarts, consumer: this.options.name }, `${this.options.name} consumer crashed: nothing is read from it until it is back`);
    if (!restarts) {
      void consumer.disconnect().catch(() => {});
      this.restartLater();
    }
  }

  private restartLater(): void {
    if (this.stopping) return;
    this.restartTimer = setTimeout(() => {
      this.run(this.options.create()).catch((error: unknown) => {
        this.reason = `could not be restarted (${(error as Error).message}); trying again`;
        this.options.log.error({ err: error, consumer: this.options.name }, `${this.options.name} consumer could not be restarted; trying again`);
        this.restartLater();
      });
    }, this.options.restartDelayMs ?? 1_000);
    this.restartTimer.unref();
  }
}
