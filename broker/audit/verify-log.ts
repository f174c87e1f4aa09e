import { CompactRange } from '../../lib/merkle/compact-range.ts';
import { leafHash } from '../../lib/merkle/hash.ts';
import type { NoteVerifier } from '../../lib/merkle/signed-note.ts';
import { rootHash } from '../../lib/merkle/tree.ts';
import type { NodeKeyLookup } from '../../lib/crypto/record-signature.ts';
import { readAuditEntry } from './audit-schema.ts';
import { readCheckpointMessage } from './checkpoint-message.ts';

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
  const failures: VerifyFailure[] = [];
  const fail = (failure: VerifyFailure) => {
    if (failures.length < MAX_REPORTED) failures.push(failure);
  };
  const total = entries.length + checkpoints.length;
  const signed: Buffer[] = [];
  const range = new CompactRange();
  for (const [k, raw] of checkpoints.entries()) {
    const failure = checkCheckpoint(k, raw, signed, range, verifier, origin);
    if (failure) fail(failure);
  }
  onProgress?.(checkpoints.length, total);
  // After an entry is found deleted or inserted, every later position differs: report the first only.
  let positionsAligned = true;
  let mismatches = 0;
  const firstIndexOf = new Map<string, number>();
  for (const [i, raw] of entries.entries()) {
    if (positionsAligned && i < signed.length && !leafHash(raw).equals(signed[i]!)) {
      const reason = classify(i, entries, signed);
      fail({ entryIndex: i, reason });
      mismatches += 1;
      if (/deleted|inserted/.test(reason)) positionsAligned = false;
    }
    const read = readAuditEntry(raw, entryKeys);
    if ('reason' in read) fail({ entryIndex: i, reason: `entry ${i} is not a hub fact: ${read.reason}` });
    else if (firstIndexOf.has(read.entry.id)) fail({ entryIndex: i, reason: `entry ${i} replays entry ${firstIndexOf.get(read.entry.id)} (same id): one fact logged twice` });
    else firstIndexOf.set(read.entry.id, i);
    if (i % 10_000 === 9_999) onProgress?.(checkpoints.length + i + 1, total);
  }
  onProgress?.(total, total);
  if (entries.length < signed.length) {
    fail({ entryIndex: entries.length, reason: `the log is truncated: checkpoints sign ${signed.length} entries, the log holds ${entries.length}; entry ${entries.length} is the first missing` });
  }
  const ok = failures.length === 0;
  const signedHere = Math.min(signed.length, entries.length);
  return {
    ok,
    entries: entries.length,
    checkpoints: checkpoints.length,
    verifiedSize: ok || mismatches === 0 ? signedHere : 0,
    unverifiedTail: Math.max(0, entries.length - signed.length),
    failures,
    ...(failures[0] ? { failure: failures[0] } : {}),
  };
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
