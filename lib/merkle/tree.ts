import { EMPTY_ROOT, nodeHash, splitPoint } from './hash.ts';

/**
 * Merkle tree head, inclusion and consistency proofs over leaf hashes, as
 * RFC 9162 §2.1 defines them (MTH, PATH, SUBPROOF). Leaf hashes are given,
 * so the caller decides where they are kept.
 */
export function rootHash(leaves: readonly Buffer[], start = 0, end = leaves.length): Buffer {
  const n = end - start;
  if (n === 0) return EMPTY_ROOT;
  if (n === 1) return leaves[start]!;
  const k = splitPoint(n);
  return nodeHash(rootHash(leaves, start, start + k), rootHash(leaves, start + k, end));
}

/**
 * The hash of leaves [start, end): RFC 9162's MTH of that range. Proofs only
 * ever ask for ranges whose left part is a perfect, aligned subtree, so a
 * store of perfect subtree hashes answers each in O(log n) (see `subtreesOf`).
 */
export type RangeHash = (start: number, end: number) => Buffer;

/**
 * A RangeHash from the hashes of perfect subtrees: `perfect(level, index)` is
 * the hash of leaves [index·2^level, (index+1)·2^level) (level 0: the leaf).
 */
export function subtreesOf(perfect: (level: number, index: number) => Buffer): RangeHash {
  const hashOf = (start: number, end: number): Buffer => {
    const n = end - start;
    if (n === 0) return EMPTY_ROOT;
    if ((n & (n - 1)) === 0 && start % n === 0) return perfect(Math.log2(n), start / n);
    const k = splitPoint(n);
    return nodeHash(hashOf(start, start + k), hashOf(start + k, end));
  };
  return hashOf;
}

/** PATH(m, D[n]) for the tree of the first `size` leaves. */
export function inclusionProof(leaves: readonly Buffer[], index: number, size: number): Buffer[] {
  if (size > leaves.length) throw new RangeError(`no leaf ${index} in a tree of ${size}`);
  return inclusionProofFrom((start, end) => rootHash(leaves, start, end), index, size);
}

/** PATH(m, D[n]), asking `hashOf` for the subtree hashes it needs (O(log n) of them). */
export function inclusionProofFrom(hashOf: RangeHash, index: number, size: number): Buffer[] {
  if (!Number.isInteger(index) || index < 0 || index >= size) throw new RangeError(`no leaf ${index} in a tree of ${size}`);
  const path = (m: number, start: number, end: number): Buffer[] => {
    const n = end - start;
    if (n <= 1) return [];
    const k = splitPoint(n);
    return m < k ? [...path(m, start, start + k), hashOf(start + k, end)] : [...path(m - k, start + k, end), hashOf(start, start + k)];
  };
  return path(index, 0, size);
}

/** PROOF(m, D[n]) = SUBPROOF(m, D[n], true): that the tree of size `first` is a prefix of the tree of size `second`. */
export function consistencyProof(leaves: readonly Buffer[], first: number, second: number): Buffer[] {
  if (second > leaves.length) throw new RangeError(`no consistency proof from ${first} to ${second}`);
  return consistencyProofFrom((start, end) => rootHash(leaves, start, end), first, second);
}

/** PROOF(m, D[n]), asking `hashOf` for the subtree hashes it needs (O(log n) of them). */
export function consistencyProofFrom(hashOf: RangeHash, first: number, second: number): Buffer[] {
  if (!Number.isInteger(first) || first < 0 || first > second) throw new RangeError(`no consistency proof from ${first} to ${second}`);
  if (first === 0 || first === second) return [];
  const subproof = (m: number, start: number, end: number, whole: boolean): Buffer[] => {
    const n = end - start;
    if (m === n) return whole ? [] : [hashOf(start, end)];
    const k = splitPoint(n);
    return m <= k
      ? [...subproof(m, start, start + k, whole), hashOf(start + k, end)]
      : [...subproof(m - k, start + k, end, false), hashOf(start, start + k)];
  };
  return subproof(first, 0, second, true);
}

/**
 * PATH(m, D[n]) for every leaf m at once, from one pass over the levels of
 * the tree (O(n log n), where n calls to `inclusionProof` would cost O(n²)).
 * Level by level, a last node without a sibling moves up unchanged: that
 * builds the very tree RFC 9162 §2.1.1 defines (the left subtree is always the
 * largest power of two), so the paths are the same.
 */
export function allInclusionProofs(leaves: readonly Buffer[]): { root: Buffer; paths: Buffer[][] } {
  if (leaves.length === 0) return { root: EMPTY_ROOT, paths: [] };
  const paths: Buffer[][] = leaves.map(() => []);
  // Which leaves sit under each node of the current level.
  let level: Buffer[] = [...leaves];
  let under: number[][] = leaves.map((_, i) => [i]);
  while (level.length > 1) {
    const next: Buffer[] = [];
    const nextUnder: number[][] = [];
    for (let i = 0; i < level.length; i += 2) {
      if (i + 1 === level.length) {
        next.push(level[i]!);
        nextUnder.push(under[i]!);
        continue;
      }
      for (const leaf of under[i]!) paths[leaf]!.push(level[i + 1]!);
      for (const leaf of under[i + 1]!) paths[leaf]!.push(level[i]!);
      next.push(nodeHash(level[i]!, level[i + 1]!));
      nextUnder.push([...under[i]!, ...under[i + 1]!]);
    }
    level = next;
    under = nextUnder;
  }
  return { root: level[0]!, paths };
}
