import { EMPTY_ROOT, nodeHash } from './hash.ts';

/**
 * The tree head of a growing log in O(log n) memory: the roots of its perfect
 * subtrees, largest first. Appending merges equal-sized neighbours; the head
 * folds them from the right, which is exactly RFC 9162's MTH.
 */
export class CompactRange {
  private readonly stack: { hash: Buffer; size: number }[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  append(leaf: Buffer): void {
    this.stack.push({ hash: leaf, size: 1 });
    this.count += 1;
    while (this.stack.length >= 2) {
      const right = this.stack.at(-1)!;
      const left = this.stack.at(-2)!;
      if (left.size !== right.size) break;
      this.stack.splice(-2, 2, { hash: nodeHash(left.hash, right.hash), size: left.size * 2 });
    }
  }

  root(): Buffer {
    if (this.stack.length === 0) return EMPTY_ROOT;
    let r = this.stack.at(-1)!.hash;
    for (let i = this.stack.length - 2; i >= 0; i--) r = nodeHash(this.stack[i]!.hash, r);
    return r;
  }
}
