/**
 * What a component opened, closed in reverse order: on stop, and when start-up
 * fails half-way, so a failed start leaves no connection or timer behind.
 */
export class Closer {
  private readonly steps: (() => unknown)[] = [];

  add(step: () => unknown): void {
    this.steps.push(step);
  }

  /** Runs every step, last added first; one failing step does not stop the others. Returns the errors. */
  async closeAll(): Promise<unknown[]> {
    const errors: unknown[] = [];
    while (this.steps.length > 0) {
      try {
        await this.steps.pop()!();
      } catch (error) {
        errors.push(error);
      }
    }
    return errors;
  }
}

/** Rejects with `message` if `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string, onTimeout: () => Error = () => new Error(message)): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(onTimeout()), ms)))]).finally(() => clearTimeout(timer));
}
