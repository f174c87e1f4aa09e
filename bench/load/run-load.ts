/** Drives `call` from `concurrency` callers for `durationMs`, recording latency and completions per second. */
export interface LoadResult {
  completed: number;
  errors: number;
  errorCodes: Record<string, number>;
  seconds: number;
  perSecond: number[];
  latenciesMs: number[];
}

export async function runLoad(
  call: (i: number) => Promise<unknown>,
  concurrency: number,
  durationMs: number,
  onTick?: (done: number, elapsedMs: number) => void,
): Promise<LoadResult> {
  const started = performance.now();
  const end = started + durationMs;
  const latencies: number[] = [];
  const perSecond: number[] = [];
  const errorCodes: Record<string, number> = {};
  let completed = 0;
  let errors = 0;
  let next = 0;
  const ticker = setInterval(() => onTick?.(completed, performance.now() - started), 1000);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        try {
          await call(next++);
          const t1 = performance.now();
          latencies.push(t1 - t0);
          completed++;
          const second = Math.floor((t1 - started) / 1000);
          perSecond[second] = (perSecond[second] ?? 0) + 1;
        } catch (error) {
          errors++;
          const e = error as { metadata?: { get(k: string): (string | Buffer)[] }; code?: number | string };
          const code = String(e.metadata?.get('xhub-error-code')[0] ?? e.code ?? 'unknown');
          errorCodes[code] = (errorCodes[code] ?? 0) + 1;
        }
      }
    }),
  );
  clearInterval(ticker);
  const seconds = (performance.now() - started) / 1000;
  return {
    completed,
    errors,
    errorCodes,
    seconds,
    perSecond: Array.from(perSecond, (v) => v ?? 0),
    latenciesMs: latencies,
  };
}

/** Calls `call` at a fixed rate (open loop: callers do not wait for each other) for `durationMs`; returns latencies and errors. */
export async function runOpenLoop(
  call: (i: number) => Promise<unknown>,
  perSecond: number,
  durationMs: number,
): Promise<{ completed: number; latenciesMs: number[]; errors: number }> {
  const latenciesMs: number[] = [];
  let errors = 0;
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  let sent = 0;
  while (performance.now() - started < durationMs) {
    const due = Math.floor(((performance.now() - started) / 1000) * perSecond);
    for (; sent < due; sent++) {
      // From when the call was due, not when the timer let it go: a late timer
      // must count against latency (no coordinated omission).
      const t0 = started + (sent * 1000) / perSecond;
      inFlight.push(
        call(sent).then(
          () => void latenciesMs.push(performance.now() - t0),
          () => void errors++,
        ),
      );
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await Promise.all(inFlight);
  return { completed: latenciesMs.length, latenciesMs, errors };
}
