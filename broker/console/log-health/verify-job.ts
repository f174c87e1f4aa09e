import { setImmediate as nextTurn } from 'node:timers/promises';
import type { NodeKeyLookup } from '../../../lib/crypto/record-signature.ts';
import type { NoteVerifier } from '../../../lib/merkle/signed-note.ts';
import type { AuditIndex } from '../../audit/audit-index.ts';
import { LogVerification, type VerifyFailure } from '../../audit/verify-log.ts';

/** idle: never run; running; passed / failed: the verdict of the last run; stopped: `stop()` ended it before a verdict. */
export type VerifyState = 'idle' | 'running' | 'passed' | 'failed' | 'stopped';

/** Where a full verification stands, or how the last one ended. Plain data. */
export interface VerifyStatus {
  state: VerifyState;
  /** Entries whose checks are done, of `total`: the log positions indexed when the run started. */
  checked: number;
  total: number;
  /** Signed checkpoints checked so far (those of sizes up to `total`). */
  checkpoints: number;
  /** Epoch ms. */
  startedAt?: number;
  finishedAt?: number;
  /** At a verdict: entries covered by a checkpoint whose root matched, and newer ones no checkpoint covers yet. */
  verifiedSize?: number;
  unverifiedTail?: number;
  /** At `failed`: the first failure (an entry or checkpoint index, and the reason) and how many were found (at most 1000 are counted). */
  firstFailure?: VerifyFailure;
  failureCount?: number;
  /** At `failed` without a verdict on the log: why the run could not finish (the index could not be read). */
  error?: string;
}

export interface VerifyJobDeps {
  index: AuditIndex;
  /** The hub's checkpoint verifier (the node's `logVerifier`). */
  verifier: NoteVerifier;
  /** The log's origin; default the verifier's name, which is the origin the node signs under. */
  origin?: string;
  /** Keys of the nodes that sign entries, read when a run starts: `() => nodeKeyLookup(policy())`. */
  entryKeys: () => NodeKeyLookup;
  now?: () => number;
  /** Entries checked between turns of the event loop; default 256 (some milliseconds of signature checks). */
  chunkSize?: number;
}

/**
 * A full verification of the audit log as this node's query index holds it,
 * run in the background: every entry's bytes against the node signature on
 * them and the leaf hash kept beside them, every signed checkpoint's note
 * against the hub key, and the Merkle root (RFC 9162) of the entries at every
 * checkpoint's size against the signed one (LogVerification, as
 * `xhub audit verify` uses). It reads the index a chunk at a time and yields to
 * the event loop between chunks, so the node keeps serving.
 *
 * One run at a time per job. The result is kept in memory until the next run
 * (a restarted node starts `idle`). Call `stop()` when the node shuts down,
 * before the index closes.
 */
export class VerifyJob {
  private readonly deps: VerifyJobDeps;
  private current: VerifyStatus = { state: 'idle', checked: 0, total: 0, checkpoints: 0 };
  private running: Promise<void> | undefined;
  private stopping = false;

  constructor(deps: VerifyJobDeps) {
    const chunk = deps.chunkSize ?? 256;
    if (!Number.isInteger(chunk) || chunk < 1) throw new Error('chunkSize must be a positive whole number');
    this.deps = deps;
  }

  /**
   * Starts a run over the entries indexed now, unless one is running: then it
   * starts nothing and answers `started: false` with the running one's status
   * (a second click on the button is harmless).
   */
  start(): { started: boolean; status: VerifyStatus } {
    if (this.running) return { started: false, status: this.status() };
    this.stopping = false;
    this.current = {
      state: 'running',
      checked: 0,
      total: this.deps.index.nextIndex(),
      checkpoints: 0,
      startedAt: this.now(),
    };
    this.running = this.run().finally(() => (this.running = undefined));
    return { started: true, status: this.status() };
  }

  /** The running run's progress, or how the last one ended (a copy). */
  status(): VerifyStatus {
    return { ...this.current };
  }

  /** Resolves with the status once the current run has ended (at once when none runs). */
  async done(): Promise<VerifyStatus> {
    await this.running;
    return this.status();
  }

  /** Ends a running run at its next chunk (state `stopped`) and waits for it. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  private async run(): Promise<void> {
    const { index, verifier } = this.deps;
    const chunk = this.deps.chunkSize ?? 256;
    const total = this.current.total;
    try {
      const verification = new LogVerification({
        verifier,
        origin: this.deps.origin ?? verifier.name,
        entryKeys: this.deps.entryKeys(),
      });
      // Notes go in before the entries reach their size; checkpoints past `total` wait for the next run.
      const addNotes = (min: number, max: number) => {
        for (const c of index.checkpointsBetween(min, max)) {
          verification.addCheckpointNote(c.note, c.root);
          this.current.checkpoints += 1;
        }
      };
      addNotes(0, 0);
      let position = 0;
      let missing: number | undefined;
      while (position < total && missing === undefined) {
        await nextTurn();
        if (this.stopping) return this.end({ state: 'stopped' });
        const end = Math.min(total, position + chunk);
        addNotes(position + 1, end);
        for (const row of index.positions(position, end)) {
          if (row.index !== position) break;
          verification.addEntry(row.raw, row.leaf);
          position += 1;
        }
        if (position < end) {
          // A position the index lacks: what follows is out of place. The checkpoints say how far the log goes.
          missing = position;
          addNotes(end + 1, total);
        }
        this.current.checked = verification.checked;
      }
      const report = verification.finish();
      if (missing !== undefined && !report.failures.some((f) => f.entryIndex === missing)) {
        report.failures.push({ entryIndex: missing, reason: `entry ${missing} is missing from the index` });
      }
      const [first] = report.failures;
      this.end({
        state: first ? 'failed' : 'passed',
        checked: report.entries,
        verifiedSize: report.verifiedSize,
        unverifiedTail: report.unverifiedTail,
        ...(first ? { firstFailure: first, failureCount: report.failures.length } : {}),
      });
    } catch (error) {
      this.end(
        this.stopping
          ? { state: 'stopped' }
          : { state: 'failed', error: `the verification could not finish: ${(error as Error).message}` },
      );
    }
  }

  private end(result: Partial<VerifyStatus> & { state: VerifyState }): void {
    this.current = { ...this.current, ...result, finishedAt: this.now() };
  }
}
