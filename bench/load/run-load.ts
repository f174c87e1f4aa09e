export interface LoadResult {
  completed: number;
  errors: number;
  errorCodes: Record<string, number>;
  seconds: number;
  perSecond: number[];
  latenciesMs: number[];
}

/** Closed loop: drives `call` from `concurrency` callers for `durationMs`, recording latency and completions per second. */
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
          const code = errorCode(error);
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
    // Whole seconds of the run only: the calls that finish after it (the drain) would draw a last, partial second as a collapse.
    perSecond: Array.from({ length: Math.floor(durationMs / 1000) }, (_, i) => perSecond[i] ?? 0),
    latenciesMs: latencies,
  };
}

/** The hub's error code of a failed call (the xhub-error-code trailer), else its gRPC or Node code. */
function errorCode(error: unknown): string {
  const e = error as { metadata?: { get(k: string): (string | Buffer)[] }; code?: number | string };
  return String(e.metadata?.get('xhub-error-code')[0] ?? e.code ?? 'unknown');
}

export interface OpenLoopResult {
  /** The schedule's rate: calls per second. */
  offeredPerSecond: number;
  /** Calls issued: all the schedule asked for. */
  sent: number;
  completed: number;
  errors: number;
  errorCodes: Record<string, number>;
  /** From the first call's due time until the last call settled: calls in flight at the end are awaited. */
  seconds: number;
  /** Completed calls per second over `seconds`. */
  achievedPerSecond: number;
  /** Successful calls, each from when it was due. */
  latenciesMs: number[];
  /** How late the generator issued calls against their due time: when large, the load generator fell behind (still counted in the latencies). */
  dispatchLagMs: { p99: number; max: number };
}

/**
 * Open loop: calls `call` at a fixed rate for `durationMs`, call k due at
 * k/perSecond s, whether or not earlier calls have answered. Each call's
 * latency runs from when it was due, not from when the timer let it go: a
 * late timer or a busy load generator counts against latency (no coordinated
 * omission). Every call still in flight when the schedule ends is awaited, and
 * counted as completed or as an error.
 */
export async function runOpenLoop(
  call: (i: number) => Promise<unknown>,
  perSecond: number,
  durationMs: number,
  onTick?: (done: number, elapsedMs: number) => void,
): Promise<OpenLoopResult> {
  const total = Math.max(1, Math.round((perSecond * durationMs) / 1000));
  const dueAt = (k: number) => started + (k * 1000) / perSecond;
  const latenciesMs: number[] = [];
  const lags: number[] = [];
  const errorCodes: Record<string, number> = {};
  let errors = 0;
  let sent = 0;
  let inFlight = 0;
  let lastSettled = 0;
  let drained = () => {};
  const settled = () => {
    lastSettled = performance.now();
    if (--inFlight === 0 && sent === total) drained();
  };
  const started = performance.now();
  const ticker = setInterval(() => onTick?.(latenciesMs.length, performance.now() - started), 1000);
  while (sent < total) {
    const now = performance.now();
    for (; sent < total && dueAt(sent) <= now; sent++) {
      const due = dueAt(sent);
      lags.push(now - due);
      inFlight++;
      new Promise((resolve) => resolve(call(sent))).then(
        () => {
          latenciesMs.push(performance.now() - due);
          settled();
        },
        (error: unknown) => {
          errors++;
          const code = errorCode(error);
          errorCodes[code] = (errorCodes[code] ?? 0) + 1;
          settled();
        },
      );
    }
    if (sent < total) await new Promise((r) => setTimeout(r, Math.max(1, dueAt(sent) - performance.now())));
  }
  if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
  clearInterval(ticker);
  const seconds = (lastSettled - started) / 1000;
  lags.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    offeredPerSecond: perSecond,
    sent,
    completed: latenciesMs.length,
    errors,
    errorCodes,
    seconds,
    achievedPerSecond: seconds > 0 ? latenciesMs.length / seconds : 0,
    latenciesMs,
    dispatchLagMs: { p99: round(lags[Math.ceil(0.99 * lags.length) - 1] ?? 0), max: round(lags.at(-1) ?? 0) },
  };
}
