import { canonicalJson, sha256b64url } from '../../lib/crypto/digest.ts';
import { HubError, toHubError } from '../../lib/errors/hub-error.ts';
import { holderStopped } from '../claims/claim-state.ts';
import type { ExchangeDeps } from '../exchange/request-record.ts';
import { notReading } from '../routing/reply-router.ts';
import type { BatchOutcome, BulkCaller, BulkItem, BulkJobSpec, BulkResult } from './bulk.types.ts';
import { fromOutcome, outcomeDigest, runHeldBatch } from './run-batch.ts';

const allFail = (items: BulkItem[], e: HubError): BulkResult[] => items.map((item) => ({ index: item.index, status: 'FAILED', exchangeId: '', errorCode: e.code, errorMessage: e.message }));

/**
 * One batch of a job, once for the whole deployment: the batch (consumer,
 * job id, batch number) is claimed on the claims topic as a single request
 * is. The claim that holds it runs it and records, sealed, how each item
 * ended; a resume on any node, after any restart, is answered from that
 * record and never asks the provider again. A holder that stopped with no
 * outcome leaves its items unknown for the idempotency window, never re-run.
 */
export async function runBatch(deps: ExchangeDeps, job: BulkJobSpec, caller: BulkCaller, batchNo: number, items: BulkItem[], deadline: number): Promise<BulkResult[]> {
  const { claims, keys, sealer, ttlMs } = deps.claimed;
  const requestKey = keys.keyed('xhub/bulk-batch', `${caller.agency}\u0000${job.jobId}\u0000${batchNo}`);
  const fingerprint = sha256b64url(canonicalJson({ bulk: 1, r: job.recordType, p: job.purpose, f: [...job.fields].sort(), b: job.batchSize }));
  const sealId = `bulk\u0000${job.jobId}\u0000${batchNo}`;
  const digestOf = (item: BulkItem) => outcomeDigest((domain, text) => keys.keyed(domain, text), item);
  // A node that reads no replies would ask the provider and never answer: refused before the batch is claimed, so a resume runs it.
  const routing = await deps.router.whenReading(deadline - Date.now());
  if (routing) return allFail(items, notReading(routing));
  for (let attempt = 1; ; attempt++) {
    // The stream's token was claimed when it opened; each batch claim needs a token key of its own.
    const token = { key: keys.keyed('xhub/bulk-token', `${caller.tokenDigest}\u0000${batchNo}\u0000${attempt}`), exp: deadline };
    const { claimId, verdict } = await claims.claim({ token, request: { key: requestKey, fingerprint, exp: deadline, keepUntil: Date.now() + ttlMs } }, deadline);
    if (verdict.request?.holds) {
      let ran: { results: BulkResult[]; outcome: BatchOutcome };
      try {
        ran = await runHeldBatch(deps, job, caller, items, digestOf, deadline);
      } catch (error) {
        const e = toHubError(error);
        await claims.outcome(claimId, requestKey, { kind: 'failed', exchangeId: `batch-${batchNo}`, code: e.code, message: e.message.slice(0, 1024) }).catch(() => {});
        return allFail(items, e);
      }
      await claims
        .outcome(claimId, requestKey, { kind: 'delivered', exchangeId: `batch-${batchNo}`, sealed: sealer.seal(caller.agency, sealId, JSON.stringify(ran.outcome)) })
        .catch((error: unknown) => deps.log.error({ err: error, batchNo }, 'the outcome of a bulk batch could not be recorded on the claims topic'));
      return ran.results;
    }
    const holder = verdict.request?.holder;
    if (!holder) return allFail(items, new HubError('ERR_INTERNAL', 'the claims log gave no verdict for the batch'));
    if (holder.fingerprint !== fingerprint) {
      return allFail(items, new HubError('ERR_IDEMPOTENCY_KEY_REUSED', 'job_id was already used for another record type, purpose, field set or batch size; choose a new job id'));
    }
    if (holderStopped(holder, Date.now())) {
      return allFail(items, new HubError('ERR_OUTCOME_UNKNOWN', `the node that ran batch ${batchNo} of this job stopped before recording how it ended, so whether the provider was asked is unknown; the hub will not ask again in this job: send these subjects in a new job if still needed`));
    }
    const settled = holder.outcome ? holder : await claims.waitForOutcome(requestKey, deadline);
    const outcome = settled?.outcome;
    if (!outcome) return allFail(items, new HubError('ERR_IDEMPOTENCY_IN_PROGRESS', `batch ${batchNo} of this job is still being answered, on this or another node; resume the job shortly`));
    if (outcome.kind === 'released' && attempt < 2) continue;
    if (outcome.kind !== 'delivered') {
      const code = outcome.kind === 'failed' ? outcome.code : 'ERR_IDEMPOTENCY_IN_PROGRESS';
      return allFail(items, new HubError(code === 'ERR_DEADLINE_EXCEEDED' ? 'ERR_OUTCOME_UNKNOWN' : code, `batch ${batchNo} of this job ended earlier without answering its items (${code}); send them in a new job`));
    }
    const stored = JSON.parse(sealer.open(caller.agency, sealId, outcome.sealed)) as BatchOutcome;
    return items.map((item) => fromOutcome(stored, item, digestOf(item), batchNo));
  }
}
