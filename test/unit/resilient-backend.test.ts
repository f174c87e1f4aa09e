import { describe, expect, it, vi } from 'vitest';
import type { Backend, BackendResilienceConfig } from '../../connectors/backends/backend.types.ts';
import { withResilience } from '../../connectors/backends/resilience/resilient-backend.ts';
import { retrySafe } from '../../connectors/backends/retry-safety.ts';
import type { ErrorCode } from '../../lib/errors/error-codes.ts';
import { HubError } from '../../lib/errors/hub-error.ts';

type Answer = Record<string, unknown> | undefined;

interface Call {
  recordType: string;
  timeoutMs: number;
  answer: Deferred<Answer>;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * A backend that answers each call as the test says: from a script of
 * outcomes (an Error is thrown, anything else returned) or, once the script
 * runs out, left pending until the test settles `calls[i].answer`.
 */
function fakeBackend(script: (Answer | Error)[] = []) {
  const calls: Call[] = [];
  const backend: Backend & { closed: boolean } = {
    closed: false,
    async fetch(recordType, _subject, timeoutMs) {
      const answer = deferred<Answer>();
      calls.push({ recordType, timeoutMs, answer });
      if (script.length > 0) {
        const next = script.shift();
        if (next instanceof Error) answer.reject(next);
        else answer.resolve(next);
      }
      return answer.promise;
    },
    async close() {
      backend.closed = true;
    },
  };
  return { backend, calls };
}

const outage = (code: ErrorCode = 'ERR_BACKEND_UNAVAILABLE') =>
  new HubError(code, 'agency backend cannot be reached');
const RECORD = { firstNameTh: 'สมชาย' };
const FAST: BackendResilienceConfig = { retryBackoffMs: 1 };
const SUBJECT = '1101700203450';

async function failure(promise: Promise<unknown>): Promise<HubError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HubError);
  return error as HubError;
}

describe('concurrency limit', () => {
  it('fails a fetch whose deadline passes in line, and it never reaches the backend', async () => {
    const { backend, calls } = fakeBackend();
    const resilient = withResilience(backend, { ...FAST, maxConcurrency: 1 }, 'test');
    const first = resilient.fetch('a', SUBJECT, 10_000);
    const queued = failure(resilient.fetch('b', SUBJECT, 30));
    const error = await queued;
    expect(error.code).toBe('ERR_BACKEND_TIMEOUT');
    expect(error.message).toMatch(/waited in line/);
    expect(error.message).not.toContain(SUBJECT);

    const later = resilient.fetch('c', SUBJECT, 10_000);
    calls[0]?.answer.resolve(RECORD);
    await expect(first).resolves.toEqual(RECORD);
    await vi.waitFor(() => expect(calls).toHaveLength(2));
    expect(calls.map((c) => c.recordType)).toEqual(['a', 'c']);
    // The time spent in line is taken off what the backend call gets.
    expect(calls[1]?.timeoutMs).toBeLessThanOrEqual(10_000);
    expect(calls[1]?.timeoutMs).toBeGreaterThan(0);
    calls[1]?.answer.resolve(undefined);
    await expect(later).resolves.toBeUndefined();
  });

  it('never calls the backend for a fetch with no time left', async () => {
    const { backend, calls } = fakeBackend([RECORD]);
    const error = await failure(withResilience(backend, FAST, 'test').fetch('a', SUBJECT, 0));
    expect(error.code).toBe('ERR_BACKEND_TIMEOUT');
    expect(calls).toHaveLength(0);
  });

  it('lets at most maxConcurrency fetches reach the backend at once', async () => {
    const { backend, calls } = fakeBackend();
    const resilient = withResilience(backend, { ...FAST, maxConcurrency: 2 }, 'test');
    const fetches = [1, 2, 3, 4].map((i) => resilient.fetch(`r${i}`, SUBJECT, 10_000));
    await vi.waitFor(() => expect(calls).toHaveLength(2));
    calls[0]?.answer.resolve(RECORD);
    await vi.waitFor(() => expect(calls).toHaveLength(3));
    for (const call of calls.slice(1)) call.answer.resolve(RECORD);
    await vi.waitFor(() => expect(calls).toHaveLength(4));
    calls[3]?.answer.resolve(RECORD);
    await expect(Promise.all(fetches)).resolves.toHaveLength(4);
  });
});

describe('retries', () => {
  it('retries a retry-safe failure and returns the answer that follows', async () => {
    const { backend, calls } = fakeBackend([retrySafe(outage()), retrySafe(outage()), RECORD]);
    const resilient = withResilience(backend, { ...FAST, retries: 2 }, 'test');
    await expect(resilient.fetch('a', SUBJECT, 10_000)).resolves.toEqual(RECORD);
    expect(calls).toHaveLength(3);
    // Each attempt gets what is left of the one deadline, not a fresh one.
    expect(calls[2]!.timeoutMs).toBeLessThanOrEqual(calls[0]!.timeoutMs);
  });

  it('gives up after `retries` retries with the last error', async () => {
    const last = retrySafe(outage('ERR_BACKEND_TIMEOUT'));
    const { backend, calls } = fakeBackend([retrySafe(outage()), last]);
    const resilient = withResilience(backend, { ...FAST, retries: 1 }, 'test');
    expect(await failure(resilient.fetch('a', SUBJECT, 10_000))).toBe(last);
    expect(calls).toHaveLength(2);
  });

  it('does not retry a failure that is not marked retry-safe', async () => {
    for (const error of [
      outage(),
      outage('ERR_BACKEND_TIMEOUT'),
      new HubError('ERR_BACKEND_FAULT', 'soap fault'),
    ]) {
      const { backend, calls } = fakeBackend([error, RECORD]);
      const resilient = withResilience(backend, { ...FAST, retries: 2 }, 'test');
      expect(await failure(resilient.fetch('a', SUBJECT, 10_000))).toBe(error);
      expect(calls).toHaveLength(1);
    }
  });

  it('makes no retry that cannot start before the deadline, and returns the last error', async () => {
    const error = retrySafe(outage());
    const { backend, calls } = fakeBackend([error, RECORD]);
    // The first back-off alone (1000-2000 ms with jitter) is longer than the whole deadline.
    const resilient = withResilience(backend, { retries: 5, retryBackoffMs: 1000 }, 'test');
    expect(await failure(resilient.fetch('a', SUBJECT, 200))).toBe(error);
    expect(calls).toHaveLength(1);
  });

  it('stops retrying once the breaker has opened', async () => {
    const last = retrySafe(outage());
    const { backend, calls } = fakeBackend([retrySafe(outage()), last, RECORD]);
    const resilient = withResilience(backend, { ...FAST, retries: 5, breakerFailureThreshold: 2 }, 'test');
    expect(await failure(resilient.fetch('a', SUBJECT, 10_000))).toBe(last);
    expect(calls).toHaveLength(2);
    expect(resilient.breakerState()).toBe('open');
  });
});

describe('circuit breaker', () => {
  const breakerConfig: BackendResilienceConfig = {
    ...FAST,
    retries: 0,
    breakerFailureThreshold: 3,
    breakerResetMs: 100,
  };

  it('opens after N consecutive outages and then answers CIRCUIT_OPEN without calling the backend', async () => {
    const { backend, calls } = fakeBackend([outage(), outage('ERR_BACKEND_TIMEOUT'), outage(), RECORD]);
    const resilient = withResilience(backend, { ...breakerConfig, breakerResetMs: 60_000 }, 'test');
    for (let i = 0; i < 3; i++) {
      expect(resilient.breakerState()).toBe('closed');
      await failure(resilient.fetch('a', SUBJECT, 10_000));
    }
    expect(resilient.breakerState()).toBe('open');
    const refused = await failure(resilient.fetch('a', SUBJECT, 10_000));
    expect(refused.code).toBe('ERR_BACKEND_CIRCUIT_OPEN');
    expect(refused.message).toMatch(/unavailable: 3 consecutive failures; next trial in \d+ s$/);
    expect(calls).toHaveLength(3);
    await resilient.close();
  });

  it('is not tripped by not-found, faults or bad answers: the backend answered', async () => {
    const answered = (code: ErrorCode) => new HubError(code, 'answered');
    const { backend, calls } = fakeBackend([
      outage(),
      outage(),
      undefined,
      outage(),
      outage(),
      answered('ERR_BACKEND_FAULT'),
      outage(),
      outage(),
      answered('ERR_BACKEND_RESPONSE_INVALID'),
      answered('ERR_BACKEND_FAULT'),
      answered('ERR_BACKEND_AMBIGUOUS'),
      answered('ERR_BACKEND_FAULT'),
      RECORD,
    ]);
    const resilient = withResilience(backend, breakerConfig, 'test');
    for (let i = 0; i < 12; i++) await resilient.fetch('a', SUBJECT, 10_000).catch(() => undefined);
    expect(resilient.breakerState()).toBe('closed');
    await expect(resilient.fetch('a', SUBJECT, 10_000)).resolves.toEqual(RECORD);
    expect(calls).toHaveLength(13);
  });

  it('after the reset time lets one trial through, and closes when it succeeds', async () => {
    const { backend, calls } = fakeBackend([outage(), outage(), outage()]);
    const resilient = withResilience(backend, breakerConfig, 'test');
    for (let i = 0; i < 3; i++) await failure(resilient.fetch('a', SUBJECT, 10_000));
    expect(resilient.breakerState()).toBe('open');
    await vi.waitFor(() => expect(resilient.breakerState()).toBe('half-open'), { timeout: 5_000 });

    const trial = resilient.fetch('trial', SUBJECT, 10_000);
    await vi.waitFor(() => expect(calls).toHaveLength(4));
    const meanwhile = await failure(resilient.fetch('other', SUBJECT, 10_000));
    expect(meanwhile.code).toBe('ERR_BACKEND_CIRCUIT_OPEN');
    expect(calls).toHaveLength(4);

    calls[3]?.answer.resolve(RECORD);
    await expect(trial).resolves.toEqual(RECORD);
    expect(resilient.breakerState()).toBe('closed');
    const after = resilient.fetch('after', SUBJECT, 10_000);
    await vi.waitFor(() => expect(calls).toHaveLength(5));
    calls[4]?.answer.resolve(undefined);
    await expect(after).resolves.toBeUndefined();
  });

  it('reopens when the trial fails with an outage', async () => {
    const { backend, calls } = fakeBackend([outage(), outage(), outage(), outage()]);
    const resilient = withResilience(backend, breakerConfig, 'test');
    for (let i = 0; i < 3; i++) await failure(resilient.fetch('a', SUBJECT, 10_000));
    await vi.waitFor(() => expect(resilient.breakerState()).toBe('half-open'), { timeout: 5_000 });
    expect((await failure(resilient.fetch('trial', SUBJECT, 10_000))).code).toBe('ERR_BACKEND_UNAVAILABLE');
    expect(resilient.breakerState()).toBe('open');
    expect((await failure(resilient.fetch('a', SUBJECT, 10_000))).code).toBe('ERR_BACKEND_CIRCUIT_OPEN');
    expect(calls).toHaveLength(4);
  });
});

it('close() closes the wrapped backend', async () => {
  const { backend } = fakeBackend();
  await withResilience(backend, {}, 'test').close();
  expect(backend.closed).toBe(true);
});
