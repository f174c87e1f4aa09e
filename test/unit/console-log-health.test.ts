import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditIndex } from '../../broker/audit/audit-index.ts';
import type { AuditEntry } from '../../broker/audit/audit-entry.types.ts';
import { logHealth } from '../../broker/console/log-health/log-health.ts';
import { VerifyJob, type VerifyJobDeps } from '../../broker/console/log-health/verify-job.ts';
import { RECORD_DOMAINS, RecordSigner, type NodeKeyLookup } from '../../lib/crypto/record-signature.ts';
import { formatCheckpoint } from '../../lib/merkle/checkpoint.ts';
import { leafHash } from '../../lib/merkle/hash.ts';
import {
  noteSigner,
  parseVerifierKey,
  signNote,
  verifierKeyOf,
  verifierOf,
  type NoteSigner,
  type NoteVerifier,
} from '../../lib/merkle/signed-note.ts';
import { rootHash } from '../../lib/merkle/tree.ts';

const ORIGIN = 'exchange-hub.test/unit';
const T0 = Date.UTC(2025, 2, 10, 3);
/** 45 signed entries; checkpoints at 10, 25 and 40, so the last 5 are the unsigned tail. */
const ENTRIES = 45;
const SIZES = [10, 25, 40];

let dir: string;
let raws: Buffer[];
let hub: NoteSigner;
let verifier: NoteVerifier;
let entryKeys: NodeKeyLookup;
let files = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xhub-verify-job-'));
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const node = new RecordSigner('node-1', { kid: 'node-1-key', key: privateKey });
  const nodePublic = KeyObject.from(publicKey);
  entryKeys = (nodeId, kid) => (nodeId === 'node-1' && kid === 'node-1-key' ? nodePublic : undefined);
  raws = Array.from({ length: ENTRIES }, (_, i) =>
    Buffer.from(
      node.sign(RECORD_DOMAINS.auditEntry, {
        v: 1,
        id: `e-${i}`,
        kind: 'delivered',
        at: T0 + i * 1000,
        consumer: 'FPO',
        provider: 'DOPA',
        purpose: 'WELFARE_ELIGIBILITY',
      }),
    ),
  );
  hub = noteSigner(ORIGIN, generateKeyPairSync('ed25519').privateKey);
  verifier = verifierOf(hub);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const checkpointNote = (size: number, signer = hub) =>
  signNote(
    formatCheckpoint({
      origin: ORIGIN,
      size,
      root: rootHash(
        raws.map((r) => leafHash(r)),
        0,
        size,
      ),
    }),
    signer,
  );

/** An index file holding the signed log, then changed by `tamper` (plain SQL on the file, as someone with the disk could). */
function indexFile(tamper?: (db: DatabaseSync) => void): string {
  const file = join(dir, `index-${files++}.sqlite`);
  const index = new AuditIndex(file);
  index.add(
    0,
    raws.map((raw) => ({ raw, entry: JSON.parse(raw.toString()) as AuditEntry })),
    ENTRIES,
  );
  for (const size of SIZES)
    index.addCheckpoint(
      size,
      checkpointNote(size),
      rootHash(
        raws.map((r) => leafHash(r)),
        0,
        size,
      ),
    );
  index.close();
  if (tamper) {
    const db = new DatabaseSync(file);
    tamper(db);
    db.close();
  }
  return file;
}

/** Runs a full verification of `file` to its end. */
async function verify(file: string, deps: Partial<VerifyJobDeps> = {}) {
  const index = new AuditIndex(file);
  try {
    const job = new VerifyJob({ index, verifier, entryKeys: () => entryKeys, chunkSize: 7, ...deps });
    expect(job.start().started).toBe(true);
    return await job.done();
  } finally {
    index.close();
  }
}

const oneByteChanged = (raw: Buffer) => {
  const changed = Buffer.from(raw);
  const at = changed.indexOf('"at":') + 6;
  changed[at] = changed[at] === 0x31 ? 0x32 : 0x31;
  return changed;
};

describe('VerifyJob: a full verification of the indexed log', () => {
  it('passes an untouched log, every entry checked, and says what the checkpoints cover', async () => {
    let clock = 1_000;
    const status = await verify(indexFile(), { now: () => (clock += 5) });
    expect(status).toEqual({
      state: 'passed',
      checked: ENTRIES,
      total: ENTRIES,
      checkpoints: 3,
      startedAt: 1_005,
      finishedAt: 1_010,
      verifiedSize: 40,
      unverifiedTail: 5,
    });
  });

  it('works in chunks between turns of the event loop, one run at a time, and reports progress', async () => {
    const index = new AuditIndex(indexFile());
    try {
      const job = new VerifyJob({ index, verifier, entryKeys: () => entryKeys, chunkSize: 1 });
      expect(job.status().state).toBe('idle');
      const first = job.start();
      expect(first).toMatchObject({
        started: true,
        status: { state: 'running', checked: 0, total: ENTRIES },
      });
      expect(job.start()).toEqual({
        started: false,
        status: expect.objectContaining({ state: 'running', startedAt: first.status.startedAt }),
      });
      let turns = 0;
      const seen = new Set<number>();
      const tick = () => {
        turns += 1;
        seen.add(job.status().checked);
        if (job.status().state === 'running') setImmediate(tick);
      };
      setImmediate(tick);
      expect(await job.done()).toMatchObject({ state: 'passed', checked: ENTRIES });
      expect(turns).toBeGreaterThan(ENTRIES / 2);
      expect(seen.size).toBeGreaterThan(ENTRIES / 2);
    } finally {
      index.close();
    }
  });

  it('names an entry whose bytes changed', async () => {
    const status = await verify(
      indexFile((db) =>
        db.prepare('UPDATE entries SET raw = ? WHERE idx = 12').run(oneByteChanged(raws[12]!)),
      ),
    );
    expect(status).toMatchObject({ state: 'failed', checked: ENTRIES, verifiedSize: 0 });
    expect(status.firstFailure).toEqual({
      entryIndex: 12,
      reason: 'entry 12: the leaf hash kept beside it is not the hash of its bytes',
    });
    expect(status.failureCount).toBe(3);
  });

  it('names an entry changed together with its leaf hash: its signature no longer holds', async () => {
    const changed = oneByteChanged(raws[12]!);
    const status = await verify(
      indexFile((db) =>
        db.prepare('UPDATE entries SET raw = ?, leaf = ? WHERE idx = 12').run(changed, leafHash(changed)),
      ),
    );
    expect(status.firstFailure).toEqual({
      entryIndex: 12,
      reason: expect.stringMatching(/^entry 12 is not a hub fact: signature does not verify/),
    });
  });

  it('finds validly signed entries put out of order by the signed root, naming the range', async () => {
    const status = await verify(
      indexFile((db) => {
        const swap = db.prepare('UPDATE entries SET raw = ?, leaf = ? WHERE idx = ?');
        swap.run(raws[13]!, leafHash(raws[13]!), 12);
        swap.run(raws[12]!, leafHash(raws[12]!), 13);
      }),
    );
    expect(status).toMatchObject({ state: 'failed', failureCount: 1 });
    expect(status.firstFailure).toEqual({
      checkpointIndex: 1,
      reason:
        'checkpoint 1: the entries do not hash to its signed root of size 25: an entry from 10 to 24 is not the one signed',
    });
  });

  it('refuses a checkpoint not signed by the hub key, and a stored root that is not the signed one', async () => {
    const other = noteSigner(ORIGIN, generateKeyPairSync('ed25519').privateKey);
    const forged = await verify(
      indexFile((db) =>
        db.prepare('UPDATE checkpoints SET note = ? WHERE size = 25').run(checkpointNote(25, other)),
      ),
    );
    expect(forged.firstFailure).toEqual({
      checkpointIndex: 1,
      reason: expect.stringMatching(/^checkpoint 1: signature rejected/),
    });
    const rootSwapped = await verify(
      indexFile((db) => db.prepare('UPDATE checkpoints SET root = ? WHERE size = 25').run(Buffer.alloc(32))),
    );
    expect(rootSwapped.firstFailure).toEqual({
      checkpointIndex: 1,
      reason: 'checkpoint 1: the root kept beside it is not the signed root of size 25',
    });
  });

  it('names an entry missing from the index, signed or in the tail', async () => {
    const signed = await verify(indexFile((db) => db.exec('DELETE FROM entries WHERE idx = 30')));
    expect(signed.firstFailure).toEqual({
      entryIndex: 30,
      reason:
        'the log is truncated: checkpoints sign 40 entries, the log holds 30; entry 30 is the first missing',
    });
    const tail = await verify(indexFile((db) => db.exec('DELETE FROM entries WHERE idx = 42')));
    expect(tail.firstFailure).toEqual({ entryIndex: 42, reason: 'entry 42 is missing from the index' });
  });

  it('stops at the next chunk when the node shuts down, and runs again afterwards', async () => {
    const index = new AuditIndex(indexFile());
    try {
      const job = new VerifyJob({ index, verifier, entryKeys: () => entryKeys, chunkSize: 1 });
      job.start();
      await job.stop();
      expect(job.status()).toMatchObject({ state: 'stopped', total: ENTRIES });
      expect(job.status().checked).toBeLessThan(ENTRIES);
      expect(job.status().finishedAt).toBeGreaterThan(0);
      job.start();
      expect(await job.done()).toMatchObject({ state: 'passed', checked: ENTRIES });
    } finally {
      index.close();
    }
  });

  it('fails closed, saying why, when the index cannot be read', async () => {
    const index = new AuditIndex(indexFile());
    const job = new VerifyJob({ index, verifier, entryKeys: () => entryKeys });
    job.start();
    index.close();
    expect(await job.done()).toMatchObject({
      state: 'failed',
      error: expect.stringMatching(/^the verification could not finish: /),
    });
  });
});

describe('logHealth', () => {
  it('gives the newest checkpoint with its age, the hub verifier key and the unsigned tail', () => {
    const index = new AuditIndex(indexFile());
    try {
      const now = T0 + 100_000;
      const health = logHealth(index, { verifier, now });
      expect(health).toEqual({
        origin: ORIGIN,
        verifierKey: verifierKeyOf(verifier),
        indexedEntries: ENTRIES,
        newestCheckpoint: {
          size: 40,
          rootHash: rootHash(
            raws.map((r) => leafHash(r)),
            0,
            40,
          ).toString('base64'),
          note: checkpointNote(40),
          coversUntil: T0 + 39_000,
          ageMs: 61_000,
        },
        unsignedTail: { entries: 5, oldestAt: T0 + 40_000, oldestAgeMs: 60_000 },
      });
      // The key a DPO copies into `xhub audit verify --verifier-key` names the hub's key.
      expect(parseVerifierKey(health.verifierKey).keyId.equals(verifier.keyId)).toBe(true);
    } finally {
      index.close();
    }
  });

  it('says there is no checkpoint yet on an empty log', () => {
    const index = new AuditIndex(':memory:');
    try {
      expect(logHealth(index, { verifier, now: T0 })).toEqual({
        origin: ORIGIN,
        verifierKey: verifierKeyOf(verifier),
        indexedEntries: 0,
        unsignedTail: { entries: 0 },
      });
    } finally {
      index.close();
    }
  });
});
