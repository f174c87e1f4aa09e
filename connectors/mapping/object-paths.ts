/** A dotted path split into its segments; empty segments (`a..b`, `.a`) are refused by the caller. */
export function splitPath(path: string): string[] {
  return path.split('.');
}

export function isValidPath(path: string): boolean {
  return path.length > 0 && splitPath(path).every((segment) => segment.length > 0);
}

/**
 * Reads a dotted path from a backend's answer: object keys, and array indexes
 * for numeric segments. Only own properties are followed, so a path such as
 * `__proto__.x` or `constructor` finds nothing instead of the prototype.
 */
export function readPath(root: unknown, segments: readonly string[]): unknown {
  let current: unknown = root;
  for (const segment of segments) {
    if (typeof current !== 'object' || current === null) return undefined;
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(segment)) return undefined;
      current = current[Number(segment)];
    } else {
      if (!Object.hasOwn(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return current;
}

/**
 * Writes a value at a dotted path, creating plain objects on the way. Target
 * paths are checked against the record schema at start-up, and the target is
 * built only by the mapper, so each intermediate is an object this wrote.
 */
export function writePath(root: Record<string, unknown>, segments: readonly string[], value: unknown): void {
  let current = root;
  for (const segment of segments.slice(0, -1)) {
    const next = Object.hasOwn(current, segment) ? current[segment] : undefined;
    if (typeof next === 'object' && next !== null) {
      current = next as Record<string, unknown>;
    } else {
      const created: Record<string, unknown> = {};
      defineValue(current, segment, created);
      current = created;
    }
  }
  defineValue(current, segments[segments.length - 1] ?? '', value);
}

// defineProperty rather than assignment: a schema property named `__proto__` must stay data.
function defineValue(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
