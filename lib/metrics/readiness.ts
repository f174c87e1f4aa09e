import { withTimeout } from '../closer.ts';

/** One readiness check: resolves with undefined when fine, or the reason it is not. */
export type ReadinessCheck = () => Promise<string | undefined> | string | undefined;

/** A check slower than this counts as failed: a probe must answer before the prober gives up. */
const CHECK_TIMEOUT_MS = 2_000;

/** Every check at once, each bounded by CHECK_TIMEOUT_MS: `ok` or the reason it failed. */
export async function runReadinessChecks(checks: Readonly<Record<string, ReadinessCheck>>): Promise<Record<string, string>> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        const reason = await withTimeout(Promise.resolve(check()), CHECK_TIMEOUT_MS, `no answer within ${CHECK_TIMEOUT_MS} ms`);
        return [name, reason ?? 'ok'] as const;
      } catch (error) {
        return [name, (error as Error).message || 'failed'] as const;
      }
    }),
  );
  return Object.fromEntries(entries);
}

/** The names of the checks that did not pass, in order. */
export function failedChecks(results: Readonly<Record<string, string>>): string[] {
  return Object.entries(results)
    .filter(([, r]) => r !== 'ok')
    .map(([name]) => name);
}

/**
 * Runs `checks` every `intervalMs` and calls `onChange` when their verdict
 * changes (and once at the first run), with the names of the checks that
 * failed: how the gRPC health status follows /readyz, so a load balancer
 * watching either one stops sending calls to a node that cannot serve them.
 * Returns the function that stops the watch, and a promise of the first verdict.
 */
export function watchReadiness(
  checks: Readonly<Record<string, ReadinessCheck>>,
  intervalMs: number,
  onChange: (failed: string[], results: Record<string, string>) => void,
): { stop: () => void; first: Promise<void> } {
  let last: string | undefined;
  let firstDone = () => {};
  const first = new Promise<void>((resolve) => (firstDone = resolve));
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    const results = await runReadinessChecks(checks);
    if (stopped) return;
    const failed = failedChecks(results);
    const verdict = failed.join(',');
    if (verdict !== last) {
      last = verdict;
      onChange(failed, results);
    }
    firstDone();
    timer = setTimeout(() => void tick(), intervalMs);
    timer.unref();
  };
  void tick();
  return {
    first,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
