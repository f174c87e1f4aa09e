import { verifierKeyOf, type NoteVerifier } from '../../../lib/merkle/signed-note.ts';
import type { AuditIndex } from '../../audit/audit-index.ts';

/** The state of the audit log as this node's query index holds it. */
export interface LogHealth {
  /** The log's name (C2SP origin) and the C2SP verifier key of the hub's checkpoints: `<origin>+<key id hex>+<base64 key>`, for `xhub audit verify --verifier-key` or any C2SP tool. */
  origin: string;
  verifierKey: string;
  /** Log positions indexed (the next index expected). */
  indexedEntries: number;
  /** The newest signed checkpoint, if the sequencer has signed one. */
  newestCheckpoint?: {
    size: number;
    /** Root hash, standard base64 as in the note. */
    rootHash: string;
    /** The signed note itself (C2SP checkpoint), to copy into other tools. */
    note: string;
    /**
     * Signed time of the newest entry it covers, and now minus that. A C2SP
     * checkpoint carries no time of its own; the sequencer signs one every
     * interval while entries arrive, so this is how old the newest signed state is.
     */
    coversUntil?: number;
    ageMs?: number;
  };
  /** Indexed entries no signed checkpoint covers yet, and how long the oldest of them has waited. */
  unsignedTail: { entries: number; oldestAt?: number; oldestAgeMs?: number };
}

/**
 * The log-health summary for the console: newest checkpoint (size, age, root,
 * note), the hub's verifier key, entries indexed and the unsigned tail. Reads a
 * handful of rows; cheap enough for every page view. `verifier` is the hub's
 * checkpoint verifier, as the node builds it (`logVerifier` in ConsoleDeps).
 */
export function logHealth(index: AuditIndex, options: { verifier: NoteVerifier; now: number }): LogHealth {
  const { verifier, now } = options;
  const indexedEntries = index.nextIndex();
  const newest = index.latestCheckpoint();
  const signed = newest?.size ?? 0;
  const times = index.timesAround(signed);
  const tail = Math.max(0, indexedEntries - signed);
  return {
    origin: verifier.name,
    verifierKey: verifierKeyOf(verifier),
    indexedEntries,
    ...(newest
      ? {
          newestCheckpoint: {
            size: newest.size,
            rootHash: newest.root.toString('base64'),
            note: newest.note,
            ...(times.lastBefore !== undefined
              ? { coversUntil: times.lastBefore, ageMs: Math.max(0, now - times.lastBefore) }
              : {}),
          },
        }
      : {}),
    unsignedTail: {
      entries: tail,
      ...(tail > 0 && times.firstFrom !== undefined
        ? { oldestAt: times.firstFrom, oldestAgeMs: Math.max(0, now - times.firstFrom) }
        : {}),
    },
  };
}
