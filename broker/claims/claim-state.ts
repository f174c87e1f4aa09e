import type { ClaimRecord, ClaimTopicRecord, OutcomeResult } from './claim-records.ts';

/** What the log says of one claim, once it has been read back in order. */
export interface ClaimVerdict {
  /** The token was claimed before, and is still valid: the whole claim is void. */
  tokenReplayed: boolean;
  /** For a request claim: this claim holds the request (it does the exchange), or another claim does. */
  request?: { holds: true } | { holds: false; holder: Holder };
}

export interface Holder {
  claimId: string;
  nodeId: string;
  fingerprint: string;
  exp: number;
  keepUntil: number;
  outcome?: OutcomeResult;
}

/**
 * The deployment-wide replay guard and idempotency store, as a pure function
 * of the claims topic read in order. Every node applies the same records in
 * the same order (one partition) with the same rules, which look only at the
 * records (their `at`, `exp`, `keepUntil`), never at the local clock, so every
 * node and every restart reaches the same verdicts:
 *
 * - a token claim is void if the same token key was claimed before and that
 *   claim's token was still valid at this claim's `at`;
 * - a request claim holds its request unless an earlier claim still holds it:
 *   one whose outcome (delivered or failed) is kept until `keepUntil`, or one
 *   with no outcome at all. A holder that was released (nothing sent) lets
 *   the next claim take over. One that died without an outcome never does
 *   within the idempotency window: it may have asked the provider already,
 *   and nothing durable says whether it did, so a second claim could cause a
 *   second transfer. Retries learn that the outcome is unknown (see
 *   OUTCOME_GRACE_MS);
 * - an outcome applies only to the claim that holds its request.
 *
 * Sweeping forgets what no later claim could be affected by; it uses the
 * local clock with a margin, and only drops entries the rules already ignore.
 */
export class ClaimState {
  private readonly tokens = new Map<string, number>();
  private readonly requests = new Map<string, Holder>();
  private readonly verdicts = new Map<string, ClaimVerdict>();
  private readonly listeners = new Map<string, Set<(holder: Holder) => void>>();

  apply(record: ClaimTopicRecord & { nodeId: string }): ClaimVerdict | undefined {
    if (record.type === 'outcome') {
      const holder = this.requests.get(record.requestKey);
      if (!holder || holder.claimId !== record.claimId || holder.outcome) return undefined;
      holder.outcome = record.result;
      for (const listener of this.listeners.get(record.requestKey) ?? []) listener(holder);
      return undefined;
    }
    if (this.verdicts.has(record.claimId)) return this.verdicts.get(record.claimId);
    const verdict = this.claim(record);
    this.verdicts.set(record.claimId, verdict);
    return verdict;
  }

  /** The holder of a request key, as of the records applied so far. */
  holder(requestKey: string): Holder | undefined {
    return this.requests.get(requestKey);
  }

  /** Calls `listener` each time the request's holder gets an outcome; returns how to stop. */
  onOutcome(requestKey: string, listener: (holder: Holder) => void): () => void {
    const set = this.listeners.get(requestKey) ?? new Set();
    set.add(listener);
    this.listeners.set(requestKey, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(requestKey);
    };
  }

  /** Forgets tokens, requests and verdicts that no claim written from now on could be affected by. */
  sweep(now: number, marginMs = 60_000): void {
    for (const [key, exp] of this.tokens) if (exp + marginMs < now) this.tokens.delete(key);
    for (const [key, holder] of this.requests) if (Math.max(holder.keepUntil, holder.exp + OUTCOME_GRACE_MS) + marginMs < now) this.requests.delete(key);
    // Verdicts are read back within a deadline; an hour is far past any.
    if (this.verdicts.size > 100_000) for (const claimId of [...this.verdicts.keys()].slice(0, this.verdicts.size - 100_000)) this.verdicts.delete(claimId);
  }

  private claim(record: ClaimRecord & { nodeId: string }): ClaimVerdict {
    const seen = this.tokens.get(record.token.key);
    if (seen !== undefined && seen > record.at) return { tokenReplayed: true };
    this.tokens.set(record.token.key, record.token.exp);
    const request = record.request;
    if (!request) return { tokenReplayed: false };
    const current = this.requests.get(request.key);
    if (current && stillHolds(current, record.at)) return { tokenReplayed: false, request: { holds: false, holder: current } };
    this.requests.set(request.key, { claimId: record.claimId, nodeId: record.nodeId, fingerprint: request.fingerprint, exp: request.exp, keepUntil: request.keepUntil });
    return { tokenReplayed: false, request: { holds: true } };
  }
}

/**
 * How long past its deadline a claim with no outcome may still write one: the
 * holder writes its outcome after the deadline when its reply or its outcome
 * is stuck behind a Kafka failover (5-20 s). Until then a retry is told the
 * request is still in progress; after it, that the holder stopped and the
 * outcome is unknown.
 */
export const OUTCOME_GRACE_MS = 30_000;

function stillHolds(holder: Holder, at: number): boolean {
  if (!holder.outcome) return Math.max(holder.keepUntil, holder.exp + OUTCOME_GRACE_MS) > at;
  if (holder.outcome.kind === 'released') return false;
  return holder.keepUntil > at;
}

/** True when `holder` has no outcome and is past the time it could still write one: it stopped mid-exchange. */
export function holderStopped(holder: Holder, now: number): boolean {
  return !holder.outcome && holder.exp + OUTCOME_GRACE_MS <= now;
}
