/**
 * A repeat within this time is the same Ctrl-C: the terminal signals the whole
 * process group, and npm/npx forward the signal they got to their child as well.
 */
const REPEAT_WINDOW_MS = 1_000;

/** Runs `stop` once on SIGINT/SIGTERM, then exits 0; a later second signal exits at once. */
export function onShutdown(stop: () => Promise<void>): void {
  let stoppingSince: number | undefined;
  const handler = (signal: string) => {
    if (stoppingSince !== undefined) {
      if (Date.now() - stoppingSince < REPEAT_WINDOW_MS) return;
      console.error(`${signal} again: exiting without a clean stop`);
      process.exit(1);
    }
    stoppingSince = Date.now();
    console.error(`\n${signal}: stopping…`);
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => handler('SIGINT'));
  process.on('SIGTERM', () => handler('SIGTERM'));
}
