import { EventEmitter } from 'node:events';
import type { Consumer } from 'kafkajs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { READING_GRACE_MS, SupervisedConsumer } from '../../lib/kafka/supervised-consumer.ts';
import { createLogger } from '../../lib/log.ts';

const EVENTS = { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' } as const;

/** A stand-in for a kafkajs consumer: the events the supervisor listens to, and a count of disconnects. */
class FakeConsumer extends EventEmitter {
  readonly events = EVENTS;
  disconnects = 0;
  disconnect(): Promise<void> {
    this.disconnects++;
    return Promise.resolve();
  }
  join(): void {
    this.emit(EVENTS.GROUP_JOIN, { payload: {} });
  }
  crash(message: string, restart: boolean): void {
    this.emit(EVENTS.CRASH, { payload: { error: new Error(message), restart } });
  }
}

function supervised(options: { begin?: (c: FakeConsumer) => Promise<void>; joinTimeoutMs?: number } = {}) {
  const made: FakeConsumer[] = [];
  const supervisor = new SupervisedConsumer({
    name: 'reply topic',
    log: createLogger('test', 'silent'),
    create: () => {
      const c = new FakeConsumer();
      made.push(c);
      return c as unknown as Consumer;
    },
    begin: (c) => (options.begin ? options.begin(c as unknown as FakeConsumer) : Promise.resolve()),
    restartDelayMs: 1_000,
    joinTimeoutMs: options.joinTimeoutMs ?? 5_000,
  });
  return { supervisor, made };
}

/** Starts the supervisor, its first consumer joining as soon as it runs. */
async function started() {
  const s = supervised({ begin: (c) => Promise.resolve().then(() => void setImmediate(() => c.join())) });
  await s.supervisor.start();
  return s;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('SupervisedConsumer', () => {
  it('reads once its consumer has joined; before that it says it is not in its group', async () => {
    let join = () => {};
    const { supervisor, made } = supervised({ begin: (c) => Promise.resolve(void (join = () => c.join())) });
    const start = supervisor.start();
    await vi.waitFor(() => expect(made).toHaveLength(1));
    expect(supervisor.problem()).toBe('the reply topic consumer is not reading: not yet in its consumer group');
    join();
    await start;
    expect(supervisor.problem()).toBeUndefined();
  });

  it('fails start-up, naming what it reads, when the consumer does not join in time', async () => {
    const { supervisor } = supervised({ joinTimeoutMs: 50 });
    await expect(supervisor.start()).rejects.toMatchObject({ code: 'ERR_KAFKA_UNAVAILABLE', message: 'the reply topic consumer did not join its group within 50 ms' });
  });

  it('fails start-up with the reason when the first consumer cannot run, and disconnects it', async () => {
    const { supervisor, made } = supervised({ begin: () => Promise.reject(new Error('TOPIC_AUTHORIZATION_FAILED')) });
    await expect(supervisor.start()).rejects.toThrow('TOPIC_AUTHORIZATION_FAILED');
    expect(made[0]!.disconnects).toBe(1);
  });

  it('after a crash kafkajs restarts from, says why it is not reading until the consumer rejoins, and starts no second one', async () => {
    const { supervisor, made } = await started();
    vi.useFakeTimers();
    made[0]!.crash('The coordinator is loading', true);
    expect(supervisor.problem()).toBe('the reply topic consumer is not reading: crashed (The coordinator is loading); kafkajs is restarting it');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(made).toHaveLength(1);
    made[0]!.join();
    expect(supervisor.problem()).toBeUndefined();
  });

  it('replaces a consumer kafkajs gave up on, after the restart delay, and reads again once the new one joins', async () => {
    const { supervisor, made } = await started();
    vi.useFakeTimers();
    made[0]!.crash('Not authorized to access topics: [Topic authorization failed]', false);
    expect(supervisor.problem()).toMatch(/crashed \(Not authorized to access topics.*\); a new one is being started$/);
    expect(made[0]!.disconnects).toBe(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(made).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(made).toHaveLength(2);
    expect(supervisor.problem()).toMatch(/not reading: crashed/);
    // Events of the consumer that was replaced count no more.
    made[0]!.join();
    expect(supervisor.problem()).toMatch(/not reading: crashed/);
    made[1]!.join();
    expect(supervisor.problem()).toBeUndefined();
    made[0]!.crash('late event of the old consumer', false);
    expect(supervisor.problem()).toBeUndefined();
  });

  it('keeps trying when a replacement cannot run, saying so', async () => {
    let failing = true;
    const { supervisor, made } = supervised({
      begin: (c) => (made.length > 1 && failing ? Promise.reject(new Error('still not authorized')) : Promise.resolve().then(() => void setImmediate(() => c.join()))),
    });
    await supervisor.start();
    vi.useFakeTimers();
    made[0]!.crash('Not authorized', false);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(made).toHaveLength(2);
    expect(supervisor.problem()).toBe('the reply topic consumer is not reading: could not be restarted (still not authorized); trying again');
    failing = false;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(made).toHaveLength(3);
    made[2]!.join();
    expect(supervisor.problem()).toBeUndefined();
  });

  it('reports a gap in reading to readiness only once it has outlasted the grace (a rebalance or failover does not)', async () => {
    const { supervisor, made } = await started();
    vi.useFakeTimers();
    made[0]!.crash('The group coordinator is not available', true);
    expect(supervisor.lastingProblem()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(READING_GRACE_MS - 1);
    expect(supervisor.lastingProblem()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(supervisor.lastingProblem()).toBe('the reply topic consumer is not reading: crashed (The group coordinator is not available); kafkajs is restarting it (for 10 s)');
    made[0]!.join();
    expect(supervisor.lastingProblem()).toBeUndefined();
  });

  it('lets a caller wait out a passing gap: it resumes the moment the consumer rejoins', async () => {
    const { supervisor, made } = await started();
    expect(await supervisor.whenReading(5_000)).toBeUndefined();
    vi.useFakeTimers();
    made[0]!.crash('The coordinator is loading', true);
    let answer: string | undefined | null = null;
    void supervisor.whenReading(60_000).then((a) => (answer = a));
    await vi.advanceTimersByTimeAsync(3_000);
    expect(answer).toBeNull();
    made[0]!.join();
    await vi.advanceTimersByTimeAsync(0);
    expect(answer).toBeUndefined();
  });

  it('gives a waiting caller the problem at its timeout or at the end of the grace, and at once for a gap that outlasted it', async () => {
    const { supervisor, made } = await started();
    vi.useFakeTimers();
    made[0]!.crash('The coordinator is loading', true);
    const answers: (string | undefined)[] = [];
    void supervisor.whenReading(2_000).then((a) => answers.push(a));
    void supervisor.whenReading(60_000).then((a) => answers.push(a));
    await vi.advanceTimersByTimeAsync(2_000);
    expect(answers).toEqual([expect.stringMatching(/^the reply topic consumer is not reading: /)]);
    await vi.advanceTimersByTimeAsync(READING_GRACE_MS - 2_000);
    expect(answers).toHaveLength(2);
    // The grace is spent: the next caller is refused without waiting.
    void supervisor.whenReading(60_000).then((a) => answers.push(a));
    await vi.advanceTimersByTimeAsync(0);
    expect(answers).toHaveLength(3);
    expect(answers[2]).toMatch(/not reading/);
  });

  it('starts no replacement once stopped, and says it is stopping', async () => {
    const { supervisor, made } = await started();
    vi.useFakeTimers();
    made[0]!.crash('Not authorized', false);
    await supervisor.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(made).toHaveLength(1);
    expect(supervisor.problem()).toBe('the reply topic consumer is stopping');
  });
});
