import { describe, expect, it } from 'vitest';
import { AuditIndex } from '../../broker/audit/audit-index.ts';
import type { AuditEntry } from '../../broker/audit/audit-entry.types.ts';
import { leafHash } from '../../lib/merkle/hash.ts';

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
});
