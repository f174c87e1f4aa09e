import { EMPTY_ROOT, nodeHash } from './hash.ts';

/** A perfect subtree: the hash of leaves [index·2^level, (index+1)·2^level). */
export interface PerfectSubtree {
  level: number;
  index: number;
  hash: Buffer;
}

/**
 * The tree head of a growing log in O(log n) memory: the roots of its perfect
 * subtrees, largest first. Appending merges equal-sized neighbours; the head
 * folds them from the right, which is exactly RFC 9162's MTH.
 */
export class CompactRange {
  private readonly stack: { hash: Buffer; size: number }[] = [];
  private count = 0;

  /**
   * The range of a log of `size` leaves, rebuilt from its perfect subtrees:
   * one per bit set in `size`, `perfect(level, index)` giving each hash.
   */
  static restore(size: number, perfect: (level: number, index: number) => Buffer): CompactRange {
    const range = new CompactRange();
    let start = 0;
    for (let level = Math.floor(Math.log2(Math.max(size, 1))); level >= 0; level--) {
      const width = 2 ** level;
      if (size - start < width) continue;
      range.stack.push({ hash: perfect(level, start / width), size: width });
      start += width;
    }
    range.count = size;
    return range;
  }

  get size(): number {
    return this.count;
  }

  /** Appends a leaf hash; returns the perfect subtrees above leaf level it completes, smallest first. */
  append(leaf: Buffer): PerfectSubtree[] {
    const completed: PerfectSubtree[] = [];
    this.stack.push({ hash: leaf, size: 1 });
    this.count += 1;
    while (this.stack.length >= 2) {
      const right = this.stack.at(-1)!;
      const left = this.stack.at(-2)!;
      if (left.size !== right.size) break;
      const merged = { hash: nodeHash(left.hash, right.hash), size: left.size * 2 };
      this.stack.splice(-2, 2, merged);
      completed.push({ level: Math.log2(merged.size), index: (this.count - merged.size) / merged.size, hash: merged.hash });
    }
    return completed;
  }

  root(): Buffer {
    if (this.stack.length === 0) return EMPTY_ROOT;
    let r = this.stack.at(-1)!.hash;
    for (let i = this.stack.length - 2; i >= 0; i--) r = nodeHash(this.stack[i]!.hash, r);
    return r;
  }
}
