import { describe, expect, it } from 'vitest';
import { inWindow } from '../../lib/kafka/in-window.ts';

/** A promise the test settles by hand. */
function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('working through a batch in a sliding window', () => {
  it('a slow item holds one slot: the items behind it finish, but nothing is done past it until it is', async () => {
    const slow = deferred();
    const finished: number[] = [];
    const done: number[] = [];
    const run = inWindow([0, 1, 2, 3, 4, 5], 2, async (item) => {
      if (item === 0) await slow.promise;
      finished.push(item);
    }, { keepGoing: () => true, done: (last) => done.push(last) });
    await expect.poll(() => finished).toEqual([1, 2, 3, 4, 5]);
    expect(done).toEqual([]);
    slow.resolve();
    await run;
    expect(done).toEqual([5]);
  });

  it('never has more than the limit in flight, and keeps it full', async () => {
    let inFlight = 0;
    let most = 0;
    await inWindow(Array.from({ length: 20 }, (_, i) => i), 3, async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight -= 1;
    }, { keepGoing: () => true, done: () => {} });
    expect(most).toBe(3);
  });

  it('after a failure starts nothing new, lets those in flight finish, reports done only before it, and throws it', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const done: number[] = [];
    const late = deferred();
    const run = inWindow([0, 1, 2, 3, 4, 5, 6], 3, async (item) => {
      started.push(item);
      if (item === 1) throw new Error('item 1 failed');
      if (item === 2) await late.promise;
      finished.push(item);
    }, { keepGoing: () => true, done: (last) => done.push(last) });
    const outcome = run.then(() => 'resolved', (error: Error) => error.message);
    await expect.poll(() => started.includes(2)).toBe(true);
    // Item 2 is still in flight: the window waits for it before throwing.
    await new Promise((r) => setTimeout(r, 20));
    expect(await Promise.race([outcome, Promise.resolve('pending')])).toBe('pending');
    late.resolve();
    expect(await outcome).toBe('item 1 failed');
    expect(done).toEqual([0]);
    expect(started).not.toContain(4);
    expect(finished).toContain(2);
  });

  it('stops starting items once told to', async () => {
    const started: number[] = [];
    await inWindow([0, 1, 2, 3], 1, async (item) => void started.push(item), { keepGoing: () => started.length < 2, done: () => {} });
    expect(started).toEqual([0, 1]);
    await expect(inWindow([0], 0, async () => {}, { keepGoing: () => true, done: () => {} })).rejects.toThrow(/at least one item, not 0/);
  });
});
