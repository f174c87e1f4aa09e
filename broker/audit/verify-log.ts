import { CompactRange } from '../../lib/merkle/compact-range.ts';
import { leafHash } from '../../lib/merkle/hash.ts';
import type { NoteVerifier } from '../../lib/merkle/signed-note.ts';
import { rootHash } from '../../lib/merkle/tree.ts';
import type { NodeKeyLookup } from '../../lib/crypto/record-signature.ts';
import { readAuditEntry } from './audit-schema.ts';
import { openCheckpointNote, readCheckpointMessage } from './checkpoint-message.ts';

export interface VerifyFailure {
  /** Index of the audit entry that fails, where the failure is an entry's. */
  entryIndex?: number;
  /** Index of the checkpoint that fails, where the failure is a checkpoint's. */
  checkpointIndex?: number;
  reason: string;
}

export interface VerifyReport {
  ok: boolean;
  entries: number;
  checkpoints: number;
  /** Entries covered by a valid signed checkpoint. */
  verifiedSize: number;
  /** Entries written after the last checkpoint, not yet covered by one. */
  unverifiedTail: number;
  /** Every failure found, checkpoints first, then entries in log order. */
  failures: VerifyFailure[];
  /** The first of them. */
  failure?: VerifyFailure;
}

/** Whose signatures make the log: the hub's key on checkpoints (under the log's origin), the nodes' keys on entries. */
export interface LogTrust {
  verifier: NoteVerifier;
  origin: string;
  entryKeys: NodeKeyLookup;
}

/** More than this many failures are summarised: a deleted entry shifts everything after it. */
const MAX_REPORTED = 1_000;

/**
 * Recomputes the audit log's Merkle tree (RFC 9162) and checks it against every
 * signed checkpoint. Checkpoints are checked first: each signature, and that
 * the leaves each one publishes extend the same sequence and hash to its signed
 * root — so all checkpoints are consistent with one another; a checkpoint that
 * fails is reported and left out. Then every entry is checked: signed by a
 * node the policy registers, in the shape of an audit entry, and equal to the
 * signed sequence. Every failure is reported with its index, not only the first.
 */
export function verifyLog(
  entries: readonly Buffer[],
  checkpoints: readonly Buffer[],
  verifier: NoteVerifier,
  origin: string,
  entryKeys: NodeKeyLookup,
  onProgress?: (done: number, total: number) => void,
): VerifyReport {
  const verification = new LogVerification({ verifier, origin, entryKeys });
  const total = entries.length + checkpoints.length;
  for (const raw of checkpoints) verification.addCheckpointMessage(raw);
  onProgress?.(checkpoints.length, total);
  for (const [i, raw] of entries.entries()) {
    verification.addEntry(raw);
    if (i % 10_000 === 9_999) onProgress?.(checkpoints.length + i + 1, total);
  }
  const report = verification.finish();
  onProgress?.(total, total);
  return report;
}

/**
 * `verifyLog` in steps, for a log read in chunks (the query index, a topic):
 * give it the checkpoints, then the entries in log order, then call `finish`.
 * Checkpoints come in two forms. A message from the checkpoints topic publishes
 * its leaves: add all of them before the first entry, and each entry is
 * compared with its signed leaf. A signed note alone (what the query index
 * keeps) gives only a root: add it before the entries reach its size, and the
 * entries' own tree head is compared with it there; a mismatch then names the
 * range of entries between the last root that matched and this one.
 * Holds one entry back (to tell a deleted entry from a changed one), the ids
 * seen (to find replays) and O(log n) hashes.
 */
export class LogVerification {
  private readonly trust: LogTrust;
  private readonly failures: VerifyFailure[] = [];
  /** Leaf hashes the checkpoint messages publish, in log order, and their tree head. */
  private readonly signed: Buffer[] = [];
  private readonly published = new CompactRange();
  /** Signed roots of notes, by tree size, until the entries reach that size. */
  private readonly roots = new Map<number, { k: number; root: Buffer }>();
  /** Tree head of the entries as read, and the largest size where it matched a signed root. */
  private readonly read = new CompactRange();
  private lastMatchedRoot = 0;
  private rootsAligned = true;
  private signedSize = 0;
  private checkpoints = 0;
  private held: { raw: Buffer; leaf: Buffer; storedLeaf: Buffer | undefined } | undefined;
  private processed = 0;
  // After an entry is found deleted or inserted, every later position differs: report the first only.
  private positionsAligned = true;
  private mismatches = 0;
  private readonly firstIndexOf = new Map<string, number>();

  constructor(trust: LogTrust) {
    this.trust = trust;
  }

  /** Entries whose checks are complete so far. */
  get checked(): number {
    return this.processed;
  }

  /** A message of the checkpoints topic (a signed note plus the leaves it adds); all of them come before the first entry. */
  addCheckpointMessage(raw: Buffer): void {
    if (this.processed > 0 || this.held) throw new Error('checkpoint messages are added before the entries');
    const failure = checkCheckpoint(this.checkpoints, raw, this.signed, this.published, this.trust);
    if (failure) this.fail(failure);
    this.checkpoints += 1;
    this.signedSize = Math.max(this.signedSize, this.signed.length);
  }

  /**
   * A signed checkpoint note without its leaves, added before the entries reach
   * its size. `storedRoot`: the root a store keeps beside the note, which must
   * be the signed one.
   */
  addCheckpointNote(note: string, storedRoot?: Buffer): void {
    const k = this.checkpoints++;
    let size: number;
    let root: Buffer;
    try {
      ({ size, root } = openCheckpointNote(note, this.trust.verifier, this.trust.origin));
    } catch (error) {
      this.fail({ checkpointIndex: k, reason: `checkpoint ${k}: ${(error as Error).message}` });
      return;
    }
    if (storedRoot && !storedRoot.equals(root))
      this.fail({
        checkpointIndex: k,
        reason: `checkpoint ${k}: the root kept beside it is not the signed root of size ${size}`,
      });
    if (size < this.processed)
      throw new Error(
        `checkpoint notes are added before the entries reach their size (${size} < ${this.processed})`,
      );
    this.signedSize = Math.max(this.signedSize, size);
    this.roots.set(size, { k, root });
    if (size === this.processed) this.checkRoot(size);
  }

  /** The next entry in log order. `storedLeaf`: the leaf hash a store keeps beside it (and serves proofs from), which must be its hash. */
  addEntry(raw: Buffer, storedLeaf?: Buffer): void {
    const next = { raw, leaf: leafHash(raw), storedLeaf };
    if (this.held) this.process(this.held, next.leaf);
    this.held = next;
  }

  /** Checks what is held back and whether the log is shorter than what is signed; the report. */
  finish(): VerifyReport {
    if (this.held) this.process(this.held, undefined);
    this.held = undefined;
    const entries = this.processed;
    if (entries < this.signedSize) {
      this.fail({
        entryIndex: entries,
        reason: `the log is truncated: checkpoints sign ${this.signedSize} entries, the log holds ${entries}; entry ${entries} is the first missing`,
      });
    }
    const failures = [...this.failures];
    const ok = failures.length === 0;
    return {
      ok,
      entries,
      checkpoints: this.checkpoints,
      verifiedSize: ok || this.mismatches === 0 ? Math.min(this.signedSize, entries) : 0,
      unverifiedTail: Math.max(0, entries - this.signedSize),
      failures,
      ...(failures[0] ? { failure: failures[0] } : {}),
    };
  }

  private fail(failure: VerifyFailure): void {
    if (this.failures.length < MAX_REPORTED) this.failures.push(failure);
  }

  private process(
    entry: { raw: Buffer; leaf: Buffer; storedLeaf: Buffer | undefined },
    nextLeaf: Buffer | undefined,
  ): void {
    const i = this.processed;
    const { raw, leaf, storedLeaf } = entry;
    if (this.positionsAligned && i < this.signed.length && !leaf.equals(this.signed[i]!)) {
      const reason = classify(i, leaf, nextLeaf, this.signed);
      this.fail({ entryIndex: i, reason });
      this.mismatches += 1;
      if (/deleted|inserted/.test(reason)) this.positionsAligned = false;
    }
    if (storedLeaf && !storedLeaf.equals(leaf))
      this.fail({
        entryIndex: i,
        reason: `entry ${i}: the leaf hash kept beside it is not the hash of its bytes`,
      });
    const read = readAuditEntry(raw, this.trust.entryKeys);
    if ('reason' in read)
      this.fail({ entryIndex: i, reason: `entry ${i} is not a hub fact: ${read.reason}` });
    else if (this.firstIndexOf.has(read.entry.id))
      this.fail({
        entryIndex: i,
        reason: `entry ${i} replays entry ${this.firstIndexOf.get(read.entry.id)} (same id): one fact logged twice`,
      });
    else this.firstIndexOf.set(read.entry.id, i);
    this.read.append(leaf);
    this.processed += 1;
    if (this.roots.has(this.processed)) this.checkRoot(this.processed);
  }

  /** Compares the entries' tree head of `size` with the signed root of that size. */
  private checkRoot(size: number): void {
    const due = this.roots.get(size)!;
    this.roots.delete(size);
    if (!this.rootsAligned) return;
    if (this.read.root().equals(due.root)) {
      this.lastMatchedRoot = size;
      return;
    }
    // Every later root differs too once one entry does: report the first only.
    this.rootsAligned = false;
    this.mismatches += 1;
    this.fail({
      checkpointIndex: due.k,
      reason: `checkpoint ${due.k}: the entries do not hash to its signed root of size ${size}: an entry from ${this.lastMatchedRoot} to ${size - 1} is not the one signed`,
    });
  }
}

function checkCheckpoint(
  k: number,
  raw: Buffer,
  signed: Buffer[],
  range: CompactRange,
  trust: LogTrust,
): VerifyFailure | undefined {
  const fail = (reason: string): VerifyFailure => ({
    checkpointIndex: k,
    reason: `checkpoint ${k}: ${reason}`,
  });
  let read: ReturnType<typeof readCheckpointMessage>;
  try {
    read = readCheckpointMessage(raw, trust.verifier, trust.origin);
  } catch (error) {
    return fail((error as Error).message);
  }
  const { message, checkpoint } = read;
  const leaves = message.leaves.map((l) => Buffer.from(l, 'base64'));
  if (leaves.some((l) => l.length !== 32) || message.from + leaves.length !== checkpoint.size)
    return fail('published leaves do not match its tree size');
  if (message.from > signed.length)
    return fail(`leaves ${signed.length}..${message.from - 1} were never published`);
  for (const [j, leaf] of leaves.entries()) {
    const index = message.from + j;
    if (index < signed.length) {
      if (!leaf.equals(signed[index]!))
        return fail(`inconsistent with earlier checkpoints: it gives another leaf ${index}`);
    } else {
      signed.push(leaf);
      range.append(leaf);
    }
  }
  const root = checkpoint.size === range.size ? range.root() : rootHash(signed, 0, checkpoint.size);
  if (!root.equals(checkpoint.root))
    return fail(
      `root hash of size ${checkpoint.size} is inconsistent with the log the other checkpoints sign`,
    );
  return undefined;
}

/** Names what most likely happened at the first entry that differs from the signed log (`next`: the following entry's leaf). */
function classify(i: number, here: Buffer, next: Buffer | undefined, signed: readonly Buffer[]): string {
  const same = (a: Buffer | undefined, b: Buffer | undefined) =>
    a !== undefined && b !== undefined && a.equals(b);
  if (same(here, signed[i + 1]) && same(next, signed[i])) return `entries ${i} and ${i + 1} are swapped`;
  if (same(here, signed[i + 1])) return `entry ${i} was deleted`;
  if (same(next, signed[i])) return `entry ${i} was inserted: it is not in the signed log`;
  return `entry ${i} was changed: it does not match the signed log`;
}
