import { describe, expect, it } from 'vitest';
import { CompactRange } from '../../lib/merkle/compact-range.ts';
import { EMPTY_ROOT, leafHash } from '../../lib/merkle/hash.ts';
import { allInclusionProofs, consistencyProof, consistencyProofFrom, inclusionProof, inclusionProofFrom, rootHash, subtreesOf } from '../../lib/merkle/tree.ts';
import { verifyConsistency, verifyInclusion } from '../../lib/merkle/verify.ts';

// Known-answer vectors for RFC 6962 / RFC 9162 hashing (the reference test data
// used by transparency-dev/merkle and Certificate Transparency).
const h = (hex: string) => Buffer.from(hex, 'hex');
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(h);
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
].map(h);
const INCLUSION: [leaf: number, size: number, proof: string[]][] = [
  [0, 8, ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4']],
  [5, 8, ['bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']],
  [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [1, 5, ['6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b']],
];
const CONSISTENCY: [first: number, second: number, proof: string[]][] = [
  [1, 8, ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4']],
  [6, 8, ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']],
  [2, 5, ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b']],
  [6, 7, ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']],
];
const hashes = LEAVES.map((l) => leafHash(l));

describe('RFC 9162 Merkle tree, known answers', () => {
  it('hashes the empty tree and every prefix of the reference leaves to the reference roots', () => {
    expect(EMPTY_ROOT).toEqual(ROOTS[0]);
    for (let n = 0; n <= 8; n++) expect(rootHash(hashes.slice(0, n)).toString('hex'), `size ${n}`).toBe(ROOTS[n]!.toString('hex'));
  });

  it('computes the same heads incrementally', () => {
    const range = new CompactRange();
    for (let n = 1; n <= 8; n++) {
      range.append(hashes[n - 1]!);
      expect(range.root()).toEqual(ROOTS[n]);
    }
  });

  it.each(INCLUSION)('inclusion proof for leaf %i in a tree of %i', (leaf, size, proof) => {
    const expected = proof.map(h);
    expect(inclusionProof(hashes, leaf, size)).toEqual(expected);
    expect(verifyInclusion(leaf, size, hashes[leaf]!, expected, ROOTS[size]!)).toBe(true);
  });

  it.each(CONSISTENCY)('consistency proof from %i to %i', (first, second, proof) => {
    const expected = proof.map(h);
    expect(consistencyProof(hashes, first, second)).toEqual(expected);
    expect(verifyConsistency(first, second, expected, ROOTS[first]!, ROOTS[second]!)).toBe(true);
  });

  it('rejects corrupted inclusion proofs', () => {
    const [leaf, size, hex] = INCLUSION[1]!;
    const proof = hex.map(h);
    const bad = [
      verifyInclusion(leaf - 1, size, hashes[leaf]!, proof, ROOTS[size]!),
      verifyInclusion(leaf + 1, size, hashes[leaf]!, proof, ROOTS[size]!),
      verifyInclusion(leaf, size * 2, hashes[leaf]!, proof, ROOTS[size]!),
      verifyInclusion(leaf, size, hashes[leaf + 1]!, proof, ROOTS[size]!),
      verifyInclusion(leaf, size, hashes[leaf]!, proof, ROOTS[size - 1]!),
      verifyInclusion(leaf, size, hashes[leaf]!, proof.slice(0, -1), ROOTS[size]!),
      verifyInclusion(leaf, size, hashes[leaf]!, [...proof, ROOTS[size]!], ROOTS[size]!),
      verifyInclusion(leaf, size, hashes[leaf]!, [Buffer.from(proof[0]!.map((b, i) => (i === 0 ? b ^ 8 : b))), ...proof.slice(1)], ROOTS[size]!),
    ];
    expect(bad).toEqual(bad.map(() => false));
  });

  it('rejects corrupted consistency proofs', () => {
    const [first, second, hex] = CONSISTENCY[1]!;
    const proof = hex.map(h);
    const bad = [
      verifyConsistency(first - 1, second, proof, ROOTS[first]!, ROOTS[second]!),
      verifyConsistency(first + 1, second, proof, ROOTS[first]!, ROOTS[second]!),
      verifyConsistency(first, second, proof, ROOTS[second]!, ROOTS[first]!),
      verifyConsistency(first, second, [], ROOTS[first]!, ROOTS[second]!),
      verifyConsistency(first, second, proof.slice(0, -1), ROOTS[first]!, ROOTS[second]!),
      verifyConsistency(first, second, [...proof, ROOTS[first]!], ROOTS[first]!, ROOTS[second]!),
      verifyConsistency(second, first, proof, ROOTS[second]!, ROOTS[first]!),
    ];
    expect(bad).toEqual(bad.map(() => false));
  });

  it('agrees with itself on larger trees: every proof it makes verifies', () => {
    const many = Array.from({ length: 37 }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));
    for (const size of [1, 2, 3, 16, 17, 37]) {
      const root = rootHash(many.slice(0, size));
      for (let i = 0; i < size; i++) expect(verifyInclusion(i, size, many[i]!, inclusionProof(many, i, size), root)).toBe(true);
      for (let m = 1; m <= size; m++) expect(verifyConsistency(m, size, consistencyProof(many, m, size), rootHash(many.slice(0, m)), root)).toBe(true);
    }
  });
});

describe('all inclusion proofs at once', () => {
  it('gives the root and, for every leaf, the RFC 9162 path that inclusionProof gives', () => {
    for (let n = 1; n <= 40; n++) {
      const leaves = Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
      const { root, paths } = allInclusionProofs(leaves);
      expect(root.equals(rootHash(leaves))).toBe(true);
      for (let m = 0; m < n; m++) {
        expect(paths[m]!.map((h) => h.toString('hex'))).toEqual(inclusionProof(leaves, m, n).map((h) => h.toString('hex')));
        expect(verifyInclusion(m, n, leaves[m]!, paths[m]!, root)).toBe(true);
      }
    }
  });
});

describe('proofs from stored perfect subtrees', () => {
  const many = Array.from({ length: 70 }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));

  it('the compact range names each perfect subtree as it completes, and one rebuilt from them carries on the same', () => {
    const range = new CompactRange();
    const stored = new Map<string, Buffer>(many.map((leaf, i) => [`0/${i}`, leaf]));
    for (const leaf of many) for (const t of range.append(leaf)) stored.set(`${t.level}/${t.index}`, t.hash);
    // Every perfect subtree of 70 leaves, and no other: 35 + 17 + 8 + 4 + 2 + 1 above the leaves.
    expect(stored.size - 70).toBe(67);
    for (const [key, hash] of stored) {
      const [level, index] = key.split('/').map(Number) as [number, number];
      expect(hash.equals(rootHash(many, index * 2 ** level, (index + 1) * 2 ** level)), key).toBe(true);
    }
    const perfect = (level: number, index: number) => stored.get(`${level}/${index}`) ?? expect.fail(`no subtree ${level}/${index}`);
    for (const size of [0, 1, 5, 31, 32, 33, 64, 69]) {
      const restored = CompactRange.restore(size, perfect);
      expect(restored.root().equals(rootHash(many.slice(0, size))), `size ${size}`).toBe(true);
      restored.append(many[size]!);
      expect(restored.root().equals(rootHash(many.slice(0, size + 1))), `size ${size} + 1`).toBe(true);
    }
  });

  it('gives the proofs the whole leaf list gives, for every leaf and size, reading O(log² n) hashes', () => {
    const range = new CompactRange();
    const stored = new Map<string, Buffer>(many.map((leaf, i) => [`0/${i}`, leaf]));
    for (const leaf of many) for (const t of range.append(leaf)) stored.set(`${t.level}/${t.index}`, t.hash);
    let reads = 0;
    const hashOf = subtreesOf((level, index) => {
      reads += 1;
      return stored.get(`${level}/${index}`)!;
    });
    for (const size of [1, 2, 3, 16, 17, 37, 70]) {
      expect(hashOf(0, size).equals(rootHash(many.slice(0, size)))).toBe(true);
      for (let i = 0; i < size; i++) expect(inclusionProofFrom(hashOf, i, size)).toEqual(inclusionProof(many, i, size));
      for (let m = 0; m <= size; m++) expect(consistencyProofFrom(hashOf, m, size)).toEqual(consistencyProof(many, m, size));
    }
    reads = 0;
    inclusionProofFrom(hashOf, 40, 70);
    expect(reads).toBeLessThanOrEqual(7 * 7);
    expect(() => inclusionProofFrom(hashOf, 70, 70)).toThrow(/no leaf 70 in a tree of 70/);
    expect(() => consistencyProofFrom(hashOf, 71, 70)).toThrow(/no consistency proof from 71 to 70/);
  });
});
