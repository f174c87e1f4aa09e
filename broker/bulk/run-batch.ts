import { randomUUID } from 'node:crypto';
import { isValidCitizenId } from '../../lib/citizen-id.ts';
import { canonicalJson } from '../../lib/crypto/digest.ts';
import { signBulkRequest, verifyBulkReply, type VerifiedBulkItem } from '../../lib/envelope/bulk/bulk-envelope.ts';
import { BULK_HEADER, type BulkRequestEnvelope, type BulkRequestItem } from '../../lib/envelope/bulk/bulk.types.ts';
import type { HubError} from '../../lib/errors/hub-error.ts';
import { toHubError } from '../../lib/errors/hub-error.ts';
import { decide, denyError } from '../../policies/decide.ts';
import type { Agreement, Policy } from '../../policies/policy.types.ts';
import { ExchangeAudit } from '../audit/exchange-audit.ts';
import { spendConsentUse } from '../consent/consent-use.ts';
import type { ExchangeDeps } from '../exchange/request-record.ts';
import type { BatchOutcome, BulkCaller, BulkItem, BulkJobSpec, BulkResult } from './bulk.types.ts';

const failed = (index: number, code: string, message: string, exchangeId = ''): BulkResult => ({ index, status: 'FAILED', exchangeId, errorCode: code, errorMessage: message });

/** One permitted item, on its way to the provider. */
interface Permitted {
  item: BulkItem;
  exchangeId: string;
  audit: ExchangeAudit;
  agreement: Agreement;
  request: BulkRequestItem;
  provider: string;
  fields: string[];
  lawfulBasis: string;
}

/**
 * Runs the items of one batch that this node holds the claim for. Each item
 * is an exchange of its own: validated, decided with its consent (a use spent
 * in the consent log's order), audited as received and decided before
 * anything is sent, and audited as delivered (durable) before its record is
 * answered. Only the signatures and the Kafka round trip are per batch.
 * Returns one result per item and what the claim keeps for a resume.
 */
export async function runHeldBatch(deps: ExchangeDeps, job: BulkJobSpec, caller: BulkCaller, items: BulkItem[], itemDigest: (item: BulkItem) => string, deadline: number): Promise<{ results: BulkResult[]; outcome: BatchOutcome }> {
  const policy = deps.policy();
  const results = new Map<number, BulkResult>();
  const outcome: BatchOutcome = { items: {} };
  const settle = (item: BulkItem, result: BulkResult) => {
    results.set(item.index, result);
    outcome.items[item.index] = { digest: itemDigest(item), ...(result.exchangeId ? { exchangeId: result.exchangeId } : {}), ...(result.status === 'FAILED' ? { code: result.errorCode, message: result.errorMessage } : {}) };
  };
  const permitted: Permitted[] = [];
  await Promise.all(
    items.map(async (item) => {
      if (!isValidCitizenId(item.subject)) return settle(item, failed(item.index, 'ERR_INVALID_CITIZEN_ID', 'subject is not a valid 13-digit Thai citizen id (check digit)'));
      if (item.consentId.length > 128) return settle(item, failed(item.index, 'ERR_INVALID_ARGUMENT', 'consent_id: at most 128 characters'));
      const decided = await decideItem(deps, policy, job, caller, item);
      if ('error' in decided) return settle(item, failed(item.index, decided.error.code, decided.error.message, decided.exchangeId));
      permitted.push(decided);
    }),
  );
  const byProvider = Map.groupBy(permitted, (p) => p.provider);
  await Promise.all([...byProvider.values()].map((group) => sendGroup(deps, job, caller, group, deadline, (p, r) => settle(p.item, r))));
  return { results: items.map((item) => results.get(item.index) ?? failed(item.index, 'ERR_INTERNAL', 'the item was not answered')), outcome };
}

async function decideItem(deps: ExchangeDeps, policy: Policy, job: BulkJobSpec, caller: BulkCaller, item: BulkItem): Promise<Permitted | { error: HubError; exchangeId: string }> {
  const exchangeId = randomUUID();
  const subjectRef = deps.pseudonyms.of(item.subject);
  const audit = new ExchangeAudit(deps.audit, { exchangeId, consumer: caller.agency, recordType: job.recordType, purpose: job.purpose, subjectRef });
  // The item's own request id, as its retries and the audit log know it.
  audit.received(`${job.jobId}#${item.index}`, caller.tokenDigest);
  const decided = decide(
    policy,
    { consumer: caller.agency, recordType: job.recordType, purpose: job.purpose, fields: job.fields, now: Date.now(), subjectRef, ...(item.consentId ? { consentId: item.consentId } : {}) },
    deps.consents.view,
  );
  const decision = decided.effect === 'permit' ? await spendConsentUse(deps.consents, decided, exchangeId, Date.now() + deps.timeouts.defaultMs) : decided;
  audit.decided(decision, item.consentId || undefined);
  if (decision.effect === 'deny') {
    await audit.settled().catch((error: unknown) => deps.log.error({ err: error, exchangeId }, 'audit entry for a denial could not be written'));
    return { error: denyError(decision), exchangeId };
  }
  const consent = decision.consent;
  return {
    item,
    exchangeId,
    audit,
    agreement: decision.agreement,
    provider: decision.provider,
    fields: decision.fields,
    lawfulBasis: decision.basis.basis,
    request: {
      exchangeId,
      subject: item.subject,
      ...(consent ? { consent: { id: consent.consentId, consumer: consent.consumer, purposes: consent.purposes, recordTypes: consent.items.map((i) => i.recordType) } } : {}),
    },
  };
}

/**
 * The permitted items for one provider: one signed request, one reply, each
 * item then audited and answered on its own. Items of one batch share the
 * agreement's field set only when the decisions agree; they always do for one
 * record type, purpose and consumer, but that is checked, not assumed.
 */
async function sendGroup(deps: ExchangeDeps, job: BulkJobSpec, caller: BulkCaller, group: Permitted[], deadline: number, settle: (p: Permitted, r: BulkResult) => void): Promise<void> {
  const first = group[0]!;
  const same = group.filter((p) => p.fields.join('\u0000') === first.fields.join('\u0000') && p.lawfulBasis === first.lawfulBasis);
  const odd = group.filter((p) => !same.includes(p));
  for (const p of odd) {
    await p.audit.failed('ERR_INTERNAL', p.provider).catch(() => {});
    settle(p, failed(p.item.index, 'ERR_INTERNAL', 'the decisions in this batch disagree on the fields; send this subject in a job of its own', p.exchangeId));
  }
  const envelope: BulkRequestEnvelope = {
    v: 1,
    batchId: randomUUID(),
    nodeId: deps.nodeId,
    replyTopic: deps.replyTopic,
    consumer: caller.agency,
    provider: first.provider,
    recordType: job.recordType,
    purpose: job.purpose,
    fields: first.fields,
    lawfulBasis: first.lawfulBasis,
    items: same.map((p) => p.request),
    iat: Date.now(),
    exp: deadline,
  };
  let reply: Awaited<ReturnType<typeof verifyBulkReply>>;
  try {
    const jws = await signBulkRequest(envelope, deps.hubKey);
    // Every item's decision entry is queued ahead of the request (see AuditWriter.queued).
    await deps.audit.queued();
    reply = await deps.router.request(
      { id: envelope.batchId, provider: envelope.provider, value: jws, topic: deps.topics.requests(envelope.provider), deadline, partitionKey: envelope.batchId, headers: { [BULK_HEADER]: '1' } },
      (value) => verifyBulkReply(value, deps.policy().keys, envelope, jws),
    );
  } catch (error) {
    const e = toHubError(error);
    deps.log.warn({ code: e.code, items: same.length, provider: envelope.provider }, 'bulk batch failed');
    await Promise.all(same.map((p) => p.audit.failed(e.code, p.provider).catch(() => {})));
    for (const p of same) settle(p, failed(p.item.index, e.code, `provider ${envelope.provider}: ${e.message}`, p.exchangeId));
    return;
  }
  await Promise.all(same.map((p, i) => deliverItem(p, reply.items[i]!, reply, settle)));
}

async function deliverItem(p: Permitted, verified: VerifiedBulkItem, reply: { jws: string; kid: string; payload: { size: number } }, settle: (p: Permitted, r: BulkResult) => void): Promise<void> {
  const { item } = verified;
  if (item.outcome === 'error') {
    await p.audit.failed(item.error.code, p.provider).catch(() => {});
    settle(p, failed(p.item.index, item.error.code, `provider ${p.provider}: ${item.error.message}`, p.exchangeId));
    return;
  }
  const recordJson = canonicalJson(item.record);
  try {
    // No transfer without its audit entry: answered only once the delivery entry is durable.
    await p.audit.delivered({ provider: p.provider, fields: item.fields, recordJson, responseJws: reply.jws, providerKeyId: reply.kid, providerReceipt: '', deferDisclosure: p.agreement.deferDisclosure });
  } catch (error) {
    const e = toHubError(error, 'ERR_AUDIT_UNAVAILABLE');
    settle(p, failed(p.item.index, e.code, 'the record was not handed out: its audit entry could not be made durable', p.exchangeId));
    return;
  }
  settle(p, {
    index: p.item.index,
    status: 'DELIVERED',
    exchangeId: p.exchangeId,
    providerId: p.provider,
    recordJson,
    fieldsDelivered: item.fields,
    proof: { providerSignature: reply.jws, providerKeyId: reply.kid, leafIndex: verified.leafIndex, treeSize: reply.payload.size, path: verified.path },
  });
}

/** The key that identifies the result of an item on a resume, for the batch outcome. */
export function outcomeDigest(keyed: (domain: string, text: string) => string, item: BulkItem): string {
  return keyed('xhub/bulk-item', `${item.index}\u0000${item.subject}\u0000${item.consentId}`);
}

/** Answers an item from a batch that ran before (this job, an earlier stream). */
export function fromOutcome(outcome: BatchOutcome, item: BulkItem, digest: string, batchNo: number): BulkResult {
  const stored = outcome.items[item.index];
  if (!stored) return failed(item.index, 'ERR_IDEMPOTENCY_KEY_REUSED', `index ${item.index} was not in batch ${batchNo} of this job when it ran; send it in a new job`);
  if (stored.digest !== digest) return failed(item.index, 'ERR_IDEMPOTENCY_KEY_REUSED', `index ${item.index} of this job was a different subject or consent; send it in a new job`);
  if (!stored.code) return { index: item.index, status: 'ALREADY_DELIVERED', exchangeId: stored.exchangeId ?? '' };
  // Sent, then out of time: the provider may have answered after it. Asking again could transfer twice.
  if (stored.code === 'ERR_DEADLINE_EXCEEDED') {
    return failed(item.index, 'ERR_OUTCOME_UNKNOWN', `the earlier run of index ${item.index} ran out of its deadline after the provider was asked; the hub will not ask again in this job: send it in a new job if still needed`, stored.exchangeId);
  }
  return failed(item.index, stored.code, stored.message ?? '', stored.exchangeId);
}

