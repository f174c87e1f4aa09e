import { describe, expect, it } from 'vitest';
import type { ClaimRecord, OutcomeResult } from '../../broker/claims/claim-records.ts';
import { ClaimState, holderStopped, OUTCOME_GRACE_MS } from '../../broker/claims/claim-state.ts';

const key = (c: string) => c.repeat(43);
let n = 0;
const claim = (at: number, token: string, request?: { key: string; fingerprint?: string; exp?: number; keepUntil?: number }): ClaimRecord & { nodeId: string } => ({
  v: 1,
  type: 'claim',
  claimId: `c${++n}`,
  at,
  nodeId: 'node-1',
  token: { key: key(token), exp: at + 60_000 },
  ...(request ? { request: { key: request.key, fingerprint: request.fingerprint ?? key('f'), exp: request.exp ?? at + 5_000, keepUntil: request.keepUntil ?? at + 600_000 } } : {}),
});
const outcome = (claimId: string, requestKey: string, result: OutcomeResult) => ({ v: 1 as const, type: 'outcome' as const, claimId, at: 0, requestKey, result, nodeId: 'node-2' });

describe('claims in log order', () => {
  it('accepts a token once while it is valid, and again only once it has expired', () => {
    const state = new ClaimState();
    expect(state.apply(claim(1_000, 'a'))).toEqual({ tokenReplayed: false });
    expect(state.apply(claim(2_000, 'a'))).toEqual({ tokenReplayed: true });
    expect(state.apply(claim(62_000, 'a'))).toEqual({ tokenReplayed: false });
  });

  it('a claim whose token is replayed claims no request either', () => {
    const state = new ClaimState();
    state.apply(claim(1_000, 'a'));
    const replay = claim(1_100, 'a', { key: key('r') });
    expect(state.apply(replay)).toEqual({ tokenReplayed: true });
    expect(state.holder(key('r'))).toBeUndefined();
  });

  it('the first request claim holds; later ones follow it, see its outcome, and a different fingerprint shows', () => {
    const state = new ClaimState();
    const first = claim(1_000, 'a', { key: key('r') });
    expect(state.apply(first)).toEqual({ tokenReplayed: false, request: { holds: true } });
    const second = state.apply(claim(1_100, 'b', { key: key('r'), fingerprint: key('g') }));
    expect(second?.request).toMatchObject({ holds: false, holder: { claimId: first.claimId, fingerprint: key('f') } });
    state.apply(outcome(first.claimId, key('r'), { kind: 'delivered', exchangeId: 'x1', sealed: 's' }));
    expect(state.holder(key('r'))?.outcome).toEqual({ kind: 'delivered', exchangeId: 'x1', sealed: 's' });
    expect(state.apply(claim(500_000, 'c', { key: key('r') }))?.request).toMatchObject({ holds: false });
  });

  it('only the holder can record an outcome, once', () => {
    const state = new ClaimState();
    const first = claim(1_000, 'a', { key: key('r') });
    state.apply(first);
    state.apply(outcome('someone-else', key('r'), { kind: 'failed', exchangeId: 'x', code: 'ERR_INTERNAL', message: 'forged' }));
    expect(state.holder(key('r'))?.outcome).toBeUndefined();
    state.apply(outcome(first.claimId, key('r'), { kind: 'failed', exchangeId: 'x', code: 'ERR_BACKEND_TIMEOUT', message: 'm' }));
    state.apply(outcome(first.claimId, key('r'), { kind: 'delivered', exchangeId: 'x', sealed: 's' }));
    expect(state.holder(key('r'))?.outcome?.kind).toBe('failed');
  });

  it('a released claim (nothing sent) is taken over by the next claim', () => {
    const state = new ClaimState();
    const first = claim(1_000, 'a', { key: key('r') });
    state.apply(first);
    state.apply(outcome(first.claimId, key('r'), { kind: 'released' }));
    expect(state.apply(claim(1_200, 'b', { key: key('r') }))?.request).toEqual({ holds: true });
  });

  it('a claim that died without an outcome is never taken over within the idempotency window: it may have asked the provider (regression: a retry after the grace fetched the record a second time)', () => {
    const state = new ClaimState();
    const dying = claim(10_000, 'c', { key: key('s'), exp: 15_000, keepUntil: 10_000 + 600_000 });
    state.apply(dying);
    // Past its deadline it may still write a late outcome (a Kafka failover): in progress for the grace.
    const during = state.apply(claim(15_000 + OUTCOME_GRACE_MS - 1, 'e', { key: key('s') }))?.request;
    expect(during).toMatchObject({ holds: false, holder: { claimId: dying.claimId } });
    expect(holderStopped(state.holder(key('s'))!, 15_000 + OUTCOME_GRACE_MS - 1)).toBe(false);
    // After it, the holder has stopped: still held, and the outcome is unknown.
    expect(state.apply(claim(15_000 + OUTCOME_GRACE_MS, 'f', { key: key('s') }))?.request).toMatchObject({ holds: false, holder: { claimId: dying.claimId } });
    expect(holderStopped(state.holder(key('s'))!, 15_000 + OUTCOME_GRACE_MS)).toBe(true);
    expect(state.apply(claim(609_999, 'g', { key: key('s') }))?.request).toMatchObject({ holds: false });
    // Once the idempotency window has ended, the request may be made again.
    expect(state.apply(claim(610_000, 'h', { key: key('s') }))?.request).toEqual({ holds: true });
  });

  it('a late outcome from a holder past its grace still applies: later retries get it', () => {
    const state = new ClaimState();
    const slow = claim(1_000, 'a', { key: key('t'), exp: 2_000 });
    state.apply(slow);
    state.apply(outcome(slow.claimId, key('t'), { kind: 'delivered', exchangeId: 'x', sealed: 's' }));
    const holder = state.holder(key('t'))!;
    expect(holderStopped(holder, 2_000 + OUTCOME_GRACE_MS + 1)).toBe(false);
    expect(state.apply(claim(2_000 + OUTCOME_GRACE_MS + 1, 'b', { key: key('t') }))?.request).toMatchObject({ holds: false, holder: { outcome: { kind: 'delivered' } } });
  });

  it('an outcome answers retries only until its keepUntil', () => {
    const state = new ClaimState();
    const first = claim(1_000, 'a', { key: key('r'), keepUntil: 100_000 });
    state.apply(first);
    state.apply(outcome(first.claimId, key('r'), { kind: 'delivered', exchangeId: 'x', sealed: 's' }));
    expect(state.apply(claim(99_999, 'b', { key: key('r') }))?.request).toMatchObject({ holds: false });
    expect(state.apply(claim(100_000, 'c', { key: key('r') }))?.request).toEqual({ holds: true });
  });

  it('the same claim read twice (a replayed record) gives the same verdict and changes nothing', () => {
    const state = new ClaimState();
    const first = claim(1_000, 'a', { key: key('r') });
    const verdict = state.apply(first);
    expect(state.apply(first)).toEqual(verdict);
    expect(state.holder(key('r'))?.claimId).toBe(first.claimId);
  });

  it('notifies waiters when the holder gets its outcome', () => {
    const state = new ClaimState();
    const first = claim(1_000, 'a', { key: key('r') });
    state.apply(first);
    const seen: string[] = [];
    const stop = state.onOutcome(key('r'), (holder) => seen.push(holder.outcome!.kind));
    state.apply(outcome(first.claimId, key('r'), { kind: 'delivered', exchangeId: 'x', sealed: 's' }));
    stop();
    expect(seen).toEqual(['delivered']);
  });
});
