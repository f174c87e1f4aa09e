/** What `inWindow` asks of its caller between and after items. */
export interface WindowHooks {
  /** False once the work should stop starting items (the consumer is stopping, the batch is stale). */
  keepGoing(): boolean;
  /** Items 0..`last` have all succeeded: called each time that prefix grows (an offset may be committed up to it). */
  done(last: number): void;
}

/**
 * Works through `items` in order with up to `limit` in flight, starting the
 * next as soon as any finishes, so one slow item holds one slot, not the
 * items behind it (a sliding window, where fixed slices would wait for their
 * slowest). Only a prefix that has wholly succeeded is reported done, so a
 * commit never passes an item still in flight or failed. After a failure no
 * new item starts; those in flight are let finish, then the first failure is
 * thrown.
 */
export async function inWindow<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>, hooks: WindowHooks): Promise<void> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`the window must hold at least one item, not ${limit}`);
  const succeeded: boolean[] = Array.from({ length: items.length }, () => false);
  let prefix = -1;
  let failure: { error: unknown } | undefined;
  const inFlight = new Set<Promise<void>>();
  for (let index = 0; index < items.length; index++) {
    while (inFlight.size >= limit) await Promise.race(inFlight);
    if (failure || !hooks.keepGoing()) break;
    const running: Promise<void> = work(items[index]!, index)
      .then(
        () => {
          succeeded[index] = true;
          const before = prefix;
          while (prefix + 1 < items.length && succeeded[prefix + 1]) prefix += 1;
          if (prefix > before) {
            try {
              hooks.done(prefix);
            } catch (error) {
              failure ??= { error };
            }
          }
        },
        (error: unknown) => {
          failure ??= { error };
        },
      )
      .finally(() => inFlight.delete(running));
    inFlight.add(running);
  }
  await Promise.all(inFlight);
  if (failure) throw failure.error;
}
