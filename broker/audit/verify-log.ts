import { CompactRange } from '../../lib/merkle/compact-range.ts';
import { leafHash } from '../../lib/merkle/hash.ts';
import type { NoteVerifier } from '../../lib/merkle/signed-note.ts';
import { rootHash } from '../../lib/merkle/tree.ts';
import { parseAuditEntry } from './audit-schema.ts';
import { readCheckpointMessage } from './checkpoint-message.ts';

export interface VerifyFailure {
  /** Index of the first audit entry that fails, where the failure is an entry's. */
  entryIndex?: number;
  /** Index of the first checkpoint that fails, where the failure is a checkpoint's. */
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
  failure?: VerifyFailure;
}

/**
 * Recomputes the audit log's Merkle tree (RFC 9162) and checks it against every
 * signed checkpoint. Checkpoints are checked first: each signature, and that
 * the leaves each one publishes extend the same sequence and hash to its signed
 * root — so all checkpoints are consistent with one another. Then every entry
 * is hashed and compared with the signed sequence, naming the first that fails.
 */
export function verifyLog(entries: readonly Buffer[], checkpoints: readonly Buffer[], verifier: NoteVerifier, origin: string, onProgress?: (done: number, total: number) => void): VerifyReport {
  const report = (failure?: VerifyFailure, signed = 0): VerifyReport => ({
    ok: failure === undefined,
    entries: entries.length,
    checkpoints: checkpoints.length,
    verifiedSize: failure ? 0 : signed,
    unverifiedTail: failure ? 0 : Math.max(0, entries.length - signed),
    ...(failure ? { failure } : {}),
  });
  const total = entries.length + checkpoints.length;
  const signed: Buffer[] = [];
  const range = new CompactRange();
  for (const [k, raw] of checkpoints.entries()) {
    const failure = checkCheckpoint(k, raw, signed, range, verifier, origin);
    if (failure) return report(failure);
  }
  onProgress?.(checkpoints.length, total);
  for (const [i, raw] of entries.entries()) {
    if (!parseAuditEntry(raw)) return report({ entryIndex: i, reason: `entry ${i} is not a valid audit entry` });
    if (i < signed.length && !leafHash(raw).equals(signed[i]!)) return report({ entryIndex: i, reason: classify(i, entries, signed) });
    if (i % 10_000 === 9_999) onProgress?.(checkpoints.length + i + 1, total);
  }
  onProgress?.(total, total);
  if (entries.length < signed.length) {
    return report({ entryIndex: entries.length, reason: `the log is truncated: checkpoints sign ${signed.length} entries, the log holds ${entries.length}; entry ${entries.length} is the first missing` });
  }
  return report(undefined, signed.length);
}

function checkCheckpoint(k: number, raw: Buffer, signed: Buffer[], range: CompactRange, verifier: NoteVerifier, origin: string): VerifyFailure | undefined {
  const fail = (reason: string): VerifyFailure => ({ checkpointIndex: k, reason: `checkpoint ${k}: ${reason}` });
  let read: ReturnType<typeof readCheckpointMessage>;
  try {
    read = readCheckpointMessage(raw, verifier, origin);
  } catch (error) {
    return fail((error as Error).message);
  }
  const { message, checkpoint } = read;
  const leaves = message.leaves.map((l) => Buffer.from(l, 'base64'));
  if (leaves.some((l) => l.length !== 32) || message.from + leaves.length !== checkpoint.size) return fail('published leaves do not match its tree size');
  if (message.from > signed.length) return fail(`leaves ${signed.length}..${message.from - 1} were never published`);
  for (const [j, leaf] of leaves.entries()) {
    const index = message.from + j;
    if (index < signed.length) {
      if (!leaf.equals(signed[index]!)) return fail(`inconsistent with earlier checkpoints: it gives another leaf ${index}`);
    } else {
      signed.push(leaf);
      range.append(leaf);
    }
  }
  const root = checkpoint.size === range.size ? range.root() : rootHash(signed, 0, checkpoint.size);
  if (!root.equals(checkpoint.root)) return fail(`root hash of size ${checkpoint.size} is inconsistent with the log the other checkpoints sign`);
  return undefined;
}

/** Names what most likely happened at the first entry that differs from the signed log. */
function classify(i: number, entries: readonly Buffer[], signed: readonly Buffer[]): string {
  const at = (j: number) => (j < entries.length ? leafHash(entries[j]!) : undefined);
  const here = at(i)!;
  const next = at(i + 1);
  const same = (a: Buffer | undefined, b: Buffer | undefined) => a !== undefined && b !== undefined && a.equals(b);
  if (same(here, signed[i + 1]) && same(next, signed[i])) return `entries ${i} and ${i + 1} are swapped`;
  if (same(here, signed[i + 1])) return `entry ${i} was deleted`;
  if (same(next, signed[i])) return `entry ${i} was inserted: it is not in the signed log`;
  return `entry ${i} was changed: it does not match the signed log`;
}
