import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it, onTestFinished } from 'vitest';
import { AuditIndex } from '../../broker/audit/audit-index.ts';
import type { AuditEntry } from '../../broker/audit/audit-entry.types.ts';
import { leafHash } from '../../lib/merkle/hash.ts';
import { consistencyProof, inclusionProof, rootHash } from '../../lib/merkle/tree.ts';

describe('the audit index keeps the logged bytes', () => {
  it('returns an entry’s bytes unaltered, even where they are not valid UTF-8', () => {
    const index = new AuditIndex(':memory:');
    try {
      // A lone 0xff and a cut-off multi-byte sequence: decoding them as text would replace them.
      const raw = Buffer.concat([Buffer.from('{"detail":"'), Buffer.from([0xff, 0xe0, 0x80]), Buffer.from('"}')]);
      const entry = { v: 1, id: 'e-1', kind: 'admin', at: 1, nodeId: 'node-1', kid: 'k', sig: 's' } satisfies AuditEntry;
      index.add(0, [{ raw, entry }], 1);
      const [row] = index.query({}, -1, 10);
      expect(row!.raw.equals(raw)).toBe(true);
      expect(row!.leaf.equals(leafHash(raw))).toBe(true);
      expect(Buffer.from(row!.raw.toString('utf8')).equals(raw)).toBe(false);
    } finally {
      index.close();
    }
  });

  it('answers the checkpoint of an exact size, or none', () => {
    const index = new AuditIndex(':memory:');
    try {
      index.addCheckpoint(3, 'note 3', Buffer.alloc(32, 3));
      index.addCheckpoint(7, 'note 7', Buffer.alloc(32, 7));
      expect(index.checkpointAt(3)).toMatchObject({ size: 3, note: 'note 3' });
      expect(index.latestCheckpoint()).toMatchObject({ size: 7 });
      expect(index.checkpointAt(5)).toBeUndefined();
    } finally {
      index.close();
    }
  });

  const raws = Array.from({ length: 300 }, (_, i) => Buffer.from(`{"entry":${i}}`));
  const leaves = raws.map((r) => leafHash(r));
  const fill = (index: AuditIndex, from: number, to: number) => {
    for (let first = from; first < to; first += 7) index.add(first, raws.slice(first, Math.min(first + 7, to)).map((raw) => ({ raw, entry: undefined })), Math.min(first + 7, to));
  };
  /** An index file of `size` entries, changed behind the index's back by `sql`, then opened again (closed when the test ends). */
  const reopenedAfter = async (size: number, sql: string) => {
    const file = await tempFile();
    const index = new AuditIndex(file);
    fill(index, 0, size);
    index.close();
    const db = new DatabaseSync(file);
    db.exec(sql);
    db.close();
    const reopened = new AuditIndex(file);
    onTestFinished(() => reopened.close());
    return reopened;
  };
  const tempFile = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xhub-index-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    return join(dir, 'index.sqlite');
  };

  it('proves inclusion and consistency from stored subtrees exactly as from the whole leaf list, and carries on after reopening', async () => {
    const file = await tempFile();
    const first = new AuditIndex(file);
    fill(first, 0, 150);
    first.close();
    const index = new AuditIndex(file);
    try {
      fill(index, 150, 300);
      for (const size of [1, 2, 149, 150, 151, 256, 300]) {
        expect(index.rootAt(size).equals(rootHash(leaves.slice(0, size))), `size ${size}`).toBe(true);
        for (const i of [0, Math.floor(size / 3), size - 1]) expect(index.inclusionProof(i, size)).toEqual(inclusionProof(leaves, i, size));
        for (const m of [1, Math.floor(size / 2), size]) expect(index.consistencyProof(m, size)).toEqual(consistencyProof(leaves, m, size));
      }
      expect(index.leafAt(299).equals(leaves[299]!)).toBe(true);
      expect(() => index.inclusionProof(0, 301)).toThrow(/holds 300 entries, not 301/);
    } finally {
      index.close();
    }
  });

  it('rebuilds the subtrees of an index file from before they were kept, from its leaves', async () => {
    const reopened = await reopenedAfter(300, 'DROP TABLE subtrees');
    expect(reopened.inclusionProof(123, 300)).toEqual(inclusionProof(leaves, 123, 300));
    expect(reopened.rootAt(300).equals(rootHash(leaves))).toBe(true);
  });

  it('an index file with a hole in its log positions is emptied at start, to be read again from the topic', async () => {
    const reopened = await reopenedAfter(40, 'DELETE FROM entries WHERE idx = 17; DROP TABLE subtrees');
    expect(reopened.nextIndex()).toBe(0);
    expect(reopened.nextOffset()).toBe(0);
    fill(reopened, 0, 40);
    expect(reopened.rootAt(40).equals(rootHash(leaves.slice(0, 40)))).toBe(true);
  });

  it('refuses entries that would leave a gap in the log, and keeps what it had', () => {
    const index = new AuditIndex(':memory:');
    try {
      fill(index, 0, 10);
      expect(() => index.add(11, [{ raw: raws[11]!, entry: undefined }], 12)).toThrow(/entry 11 would leave a gap after 9/);
      expect(index.nextIndex()).toBe(10);
      // A batch that fails half-way (a second entry with one id) leaves nothing of itself, on disk or in the tree.
      const entry = (id: string) => ({ v: 1, id, kind: 'admin', at: 1, nodeId: 'node-1', kid: 'k', sig: 's' }) satisfies AuditEntry;
      expect(() => index.add(10, [{ raw: raws[10]!, entry: entry('same') }, { raw: raws[11]!, entry: entry('same') }], 12)).toThrow(/entry 11 was not stored/);
      expect(index.nextIndex()).toBe(10);
      fill(index, 10, 20);
      expect(index.rootAt(20).equals(rootHash(leaves.slice(0, 20)))).toBe(true);
    } finally {
      index.close();
    }
  });
});
