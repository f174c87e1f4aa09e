import { randomUUID } from 'node:crypto';
import type { Pseudonymiser } from '../../lib/crypto/pseudonym.ts';
import { HubError, toHubError } from '../../lib/errors/hub-error.ts';
import type { Logger } from '../../lib/log.ts';
import type { RequestRecordResponse } from '../../lib/proto.ts';
import { NotStarted } from '../idempotency/not-started.ts';
import type { ClaimLog } from './claim-log.ts';
import { holderStopped } from './claim-state.ts';
import type { OutcomeResult } from './claim-records.ts';
import type { OutcomeSealer } from './outcome-seal.ts';
import { REPLAYED_MESSAGE } from './token-replay.ts';

export interface ClaimedExchangeDeps {
  claims: ClaimLog;
  sealer: OutcomeSealer;
  keys: Pseudonymiser;
  /** How long an outcome answers retries of its request. */
  ttlMs: number;
  log: Logger;
}

export interface ClaimedRequest {
  token: { key: string; exp: number };
  consumer: string;
  clientRequestId: string;
  fingerprint: string;
  deadline: number;
}

export interface ClaimedWork {
  /** Runs the exchange under `exchangeId`; throws NotStarted when nothing was sent. */
  run(exchangeId: string): Promise<RequestRecordResponse>;
  /** Answers a retry from the stored answer of an earlier exchange: re-checks the policy and audits it. */
  replay(stored: RequestRecordResponse): Promise<RequestRecordResponse>;
}

/**
 * One exchange for the whole deployment. The token and the request (consumer
 * and client request id) are claimed in one record on the claims topic; the
 * claim that holds the request does the exchange and records its outcome
 * there, sealed. A retry with the same client request id, on any node and
 * after any restart, waits for that outcome and gets it back (after the policy
 * is checked again), or a retryable ERR_IDEMPOTENCY_IN_PROGRESS at its
 * deadline: it never causes a second transfer while the first may still end.
 * When the holder stopped without an outcome, retries get ERR_OUTCOME_UNKNOWN
 * for the rest of the idempotency window, never a second transfer.
 */
export async function runClaimed(deps: ClaimedExchangeDeps, request: ClaimedRequest, work: ClaimedWork): Promise<RequestRecordResponse> {
  const requestKey = deps.keys.keyed('xhub/request', `${request.consumer}\u0000${request.clientRequestId}`);
  // A holder that released its claim (nothing was sent) lets the next claim take over: at most one more try.
  for (let attempt = 1; ; attempt++) {
    const { claimId, verdict } = await deps.claims.claim(
      { token: { ...request.token, ...(attempt > 1 ? { key: deps.keys.keyed('xhub/token-retry', `${request.token.key}\u0000${attempt}`) } : {}) }, request: { key: requestKey, fingerprint: request.fingerprint, exp: request.deadline, keepUntil: Date.now() + deps.ttlMs } },
      request.deadline,
    );
    if (verdict.tokenReplayed) throw new HubError('ERR_AUTH_REPLAYED', REPLAYED_MESSAGE);
    if (verdict.request?.holds) return hold(deps, request, work, claimId, requestKey);
    const holder = verdict.request?.holder;
    if (!holder) throw new HubError('ERR_INTERNAL', 'the claims log gave no verdict for the request');
    if (holder.fingerprint !== request.fingerprint) {
      throw new HubError('ERR_IDEMPOTENCY_KEY_REUSED', 'client_request_id was already used for a different request; choose a new id');
    }
    if (holderStopped(holder, Date.now())) {
      // It may have asked the provider already: asking again could transfer the record twice.
      throw new HubError(
        'ERR_OUTCOME_UNKNOWN',
        'the node that took this request (same client_request_id) stopped before answering it, so whether the provider was asked is unknown; the hub will not ask again under this id: send the request with a new client_request_id if it is still needed',
      );
    }
    const settled = holder.outcome ? holder : await deps.claims.waitForOutcome(requestKey, request.deadline);
    const outcome = settled?.outcome;
    if (!outcome) {
      throw new HubError('ERR_IDEMPOTENCY_IN_PROGRESS', 'this request (same client_request_id) is still being answered, on this or another node; retry it shortly with the same id');
    }
    if (outcome.kind === 'released' && attempt < 2) continue;
    return answer(deps, request, work, outcome);
  }
}

/**
 * Runs the exchange this claim holds and records its outcome. The caller gets
 * its answer without waiting for that write: a retry that comes first waits
 * for the outcome (`waitForOutcome`), as it would for an exchange still
 * running, and a write that fails is no worse than before (logged; retries
 * wait out the claim's deadline). ClaimLog.stop() lets pending writes land.
 */
async function hold(deps: ClaimedExchangeDeps, request: ClaimedRequest, work: ClaimedWork, claimId: string, requestKey: string): Promise<RequestRecordResponse> {
  const exchangeId = randomUUID();
  const record = (result: OutcomeResult) =>
    void deps.claims.outcome(claimId, requestKey, result).catch((error: unknown) => {
      // Retries then wait until this claim's deadline has passed, and the next one takes over.
      deps.log.error({ err: error, exchangeId }, 'the outcome of an exchange could not be recorded on the claims topic');
    });
  let response: RequestRecordResponse;
  try {
    response = await work.run(exchangeId);
  } catch (error) {
    if (error instanceof NotStarted) {
      record({ kind: 'released' });
      throw error.reason;
    }
    const e = toHubError(error);
    record({ kind: 'failed', exchangeId, code: e.code, message: e.message.slice(0, 1024) });
    throw error;
  }
  record({ kind: 'delivered', exchangeId, sealed: deps.sealer.seal(request.consumer, request.clientRequestId, JSON.stringify(response)) });
  return response;
}

async function answer(deps: ClaimedExchangeDeps, request: ClaimedRequest, work: ClaimedWork, outcome: OutcomeResult): Promise<RequestRecordResponse> {
  switch (outcome.kind) {
    case 'released':
      throw new HubError('ERR_IDEMPOTENCY_IN_PROGRESS', 'an earlier attempt of this request ended before anything was sent; retry it with the same id');
    case 'failed':
      // The first attempt was sent and ran out of time: the provider may have answered after it.
      // Retrying under this id would only repeat that, so say what is known instead.
      if (outcome.code === 'ERR_DEADLINE_EXCEEDED') {
        throw new HubError(
          'ERR_OUTCOME_UNKNOWN',
          `the first attempt of this request (same client_request_id, exchange ${outcome.exchangeId}) ran out of its deadline after the provider was asked, so whether the record left the provider is unknown; the hub will not ask again under this id: send the request with a new client_request_id if it is still needed`,
        );
      }
      // The first outcome, as the first caller got it.
      throw new HubError(outcome.code, outcome.message);
    case 'delivered':
      return work.replay(JSON.parse(deps.sealer.open(request.consumer, request.clientRequestId, outcome.sealed)) as RequestRecordResponse);
  }
}
