import type { SigningKey } from '../../lib/crypto/keys.ts';
import { canonicalJson, sha256b64url } from '../../lib/crypto/digest.ts';
import type { RequestEnvelope } from '../../lib/envelope/envelope.types.ts';
import { signRequestEnvelope } from '../../lib/envelope/request-envelope.ts';
import { HubError } from '../../lib/errors/hub-error.ts';
import type { TopicNames } from '../../lib/kafka/topics.ts';
import type { Logger } from '../../lib/log.ts';
import type { RequestRecordRequest, RequestRecordResponse } from '../../lib/proto.ts';
import { decide, denyError } from '../../policies/decide.ts';
import type { Agreement, Policy } from '../../policies/policy.types.ts';
import { authenticate, type AuthOptions } from '../auth/authenticate.ts';
import type { CallContext } from '../transport/call-context.ts';
import { NotStarted } from '../idempotency/not-started.ts';
import { runClaimed, type ClaimedExchangeDeps } from '../claims/claimed-exchange.ts';
import { DeferredTokenClaim } from '../claims/token-replay.ts';
import { replayOutcome } from './replay-outcome.ts';
import { notReading, type ReplyRouter } from '../routing/reply-router.ts';
import type { ConsentLog } from '../consent/consent-log.ts';
import { spendConsentUse } from '../consent/consent-use.ts';
import type { Pseudonymiser } from '../../lib/crypto/pseudonym.ts';
import type { AuditWriter } from '../audit/audit-writer.ts';
import { ExchangeAudit } from '../audit/exchange-audit.ts';
import { validateRequest } from './validate-request.ts';

export interface ExchangeDeps {
  nodeId: string;
  policy: () => Policy;
  hubKey: SigningKey;
  router: ReplyRouter;
  topics: TopicNames;
  replyTopic: string;
  /** The deployment-wide replay guard and idempotency store (the claims topic). */
  claimed: ClaimedExchangeDeps;
  consents: ConsentLog;
  pseudonyms: Pseudonymiser;
  audit: AuditWriter;
  auth: AuthOptions;
  timeouts: { defaultMs: number; maxMs: number };
  log: Logger;
}

/**
 * One exchange: authenticate → validate → decide → sign → route → verify.
 * `ctx.deadline` is the caller's gRPC deadline (epoch ms, or Infinity).
 */
export async function requestRecord(
  deps: ExchangeDeps,
  ctx: CallContext,
  request: RequestRecordRequest,
): Promise<RequestRecordResponse> {
  const policy = deps.policy();
  // The token is claimed together with the request, in one record: one round trip to Kafka.
  const token = new DeferredTokenClaim();
  const caller = await authenticate(ctx, policy, token, deps.auth);
  const valid = validateRequest(request, policy);
  const fingerprint = sha256b64url(
    canonicalJson({
      s: valid.subject,
      r: valid.recordType,
      p: valid.purpose,
      f: [...valid.fields].sort(),
      c: valid.consentId,
    }),
  );
  const deadline = deadlineFor(deps, ctx.deadline);
  // A node that reads no replies would ask the provider and never answer: wait out a passing gap in reading
  // (a rebalance), and refuse before anything is claimed or decided if it does not close.
  const routing = await deps.router.whenReading(deadline - Date.now());
  if (routing) throw notReading(routing);
  return runClaimed(
    deps.claimed,
    {
      token: token.token!,
      consumer: caller.agency,
      clientRequestId: valid.clientRequestId,
      fingerprint,
      deadline,
    },
    {
      run: (exchangeId) =>
        exchangeOnce(deps, policy, caller.agency, caller.tokenDigest, valid, deadline, exchangeId),
      replay: (stored) => replayOutcome(deps, caller.agency, caller.tokenDigest, valid, stored),
    },
  );
}

function deadlineFor(deps: ExchangeDeps, callDeadline: number): number {
  const now = Date.now();
  // Leave the node time to answer with a clear error before the caller gives up.
  const wanted = Number.isFinite(callDeadline) ? callDeadline - now - 100 : deps.timeouts.defaultMs;
  return now + Math.max(1, Math.min(wanted, deps.timeouts.maxMs));
}

async function exchangeOnce(
  deps: ExchangeDeps,
  policy: Policy,
  consumer: string,
  tokenDigest: string,
  request: RequestRecordRequest,
  deadline: number,
  exchangeId: string,
): Promise<RequestRecordResponse> {
  const begun = Date.now();
  const log = deps.log.child({
    exchangeId,
    consumer,
    recordType: request.recordType,
    purpose: request.purpose,
  });
  const subjectRef = deps.pseudonyms.of(request.subject);
  const audit = new ExchangeAudit(deps.audit, {
    exchangeId,
    consumer,
    recordType: request.recordType,
    purpose: request.purpose,
    subjectRef,
  });
  audit.received(request.clientRequestId, tokenDigest);
  const { envelope, jws, agreement } = await permitAndSign(deps, policy, {
    exchangeId,
    consumer,
    request,
    deadline,
    subjectRef,
    audit,
    log,
  });

  // The decision entry goes to Kafka with the request or before it, never after (AuditWriter.queued).
  await deps.audit.queued();
  // The reply consumer may have crashed while this exchange was decided: then nothing is sent unless it is back in time.
  const routing = await deps.router.whenReading(deadline - Date.now());
  if (routing) {
    await audit.failed('ERR_KAFKA_UNAVAILABLE', envelope.provider).catch((cause: unknown) => log.error({ err: cause }, 'audit entry for a failed exchange could not be written'));
    throw new NotStarted(notReading(routing));
  }
  const started = Date.now();
  const decidedMs = started - begun;
  const routed = await deps.router
    .exchange(
      envelope,
      jws,
      deps.topics.requests(envelope.provider),
      deadline,
      requestPartitionKey(subjectRef),
    )
    .catch(async (error: unknown) => {
      if (error instanceof HubError)
        log.warn({ code: error.code, ms: Date.now() - started }, 'exchange failed');
      // Refused before it was queued for Kafka: nothing was sent, so a retry with
      // the same client request id must be allowed to try again.
      if (error instanceof HubError && error.code === 'ERR_OVERLOADED') throw new NotStarted(error);
      await audit
        .failed(error instanceof HubError ? error.code : 'ERR_INTERNAL', envelope.provider)
        .catch((cause: unknown) =>
          log.error({ err: cause }, 'audit entry for a failed exchange could not be written'),
        );
      throw error;
    });
  const { response, responseJws, kid } = routed;
  const routedAt = Date.now();
  if (response.outcome === 'error') {
    log.info({ code: response.error.code, ms: Date.now() - started }, 'provider answered with an error');
    await audit
      .failed(response.error.code, envelope.provider)
      .catch((cause: unknown) =>
        log.error({ err: cause }, 'audit entry for a failed exchange could not be written'),
      );
    throw new HubError(response.error.code, `provider ${envelope.provider}: ${response.error.message}`);
  }
  // No transfer without its audit entry: the record goes out only once the
  // delivery entry (and every entry before it) is durable.
  // Serialised once, canonically (RFC 8785): the caller gets the very bytes whose digest is on the audit log.
  const recordJson = canonicalJson(response.record);
  await audit.delivered({
    provider: envelope.provider,
    fields: response.fields,
    recordJson,
    responseJws,
    providerKeyId: kid,
    providerReceipt: response.receipt,
    deferDisclosure: agreement.deferDisclosure,
  });
  // Where the time went: deciding and signing, the provider round trip over Kafka, making the audit entries durable.
  // Debug, as is 'exchange permitted': every exchange is on the audit log already, and
  // at hundreds a second these lines cost the node more than its policy decisions.
  log.debug(
    {
      fields: response.fields.length,
      decidedMs,
      routedMs: routedAt - started,
      auditMs: Date.now() - routedAt,
      ms: Date.now() - begun,
    },
    'record delivered',
  );
  return {
    exchangeId,
    providerId: envelope.provider,
    recordJson,
    fieldsDelivered: response.fields,
    providerSignature: responseJws,
    providerKeyId: kid,
    providerReceipt: response.receipt,
  };
}

interface Exchange {
  exchangeId: string;
  consumer: string;
  request: RequestRecordRequest;
  deadline: number;
  subjectRef: string;
  audit: ExchangeAudit;
  log: Logger;
}

/** Decides, spends a consent use, and signs the envelope; anything thrown here means nothing was sent. */
async function permitAndSign(
  deps: ExchangeDeps,
  policy: Policy,
  x: Exchange,
): Promise<{ envelope: RequestEnvelope; jws: string; agreement: Agreement }> {
  const { request } = x;
  const decided = decide(
    policy,
    {
      consumer: x.consumer,
      recordType: request.recordType,
      purpose: request.purpose,
      fields: request.fields,
      now: Date.now(),
      subjectRef: x.subjectRef,
      ...(request.consentId ? { consentId: request.consentId } : {}),
    },
    deps.consents.view,
  );
  // A consent use counts only in the consent log's order, the same on every node: decided before anything is sent.
  const decision =
    decided.effect === 'permit'
      ? await spendConsentUse(deps.consents, decided, x.exchangeId, x.deadline)
      : decided;
  x.audit.decided(decision, request.consentId || undefined);
  if (decision.effect === 'deny') {
    x.log.info({ code: decision.reason, rule: decision.rule, source: decision.source }, 'exchange denied');
    // Every decision is on the record before it is answered.
    await x.audit
      .settled()
      .catch((error: unknown) =>
        x.log.error({ err: error }, 'audit entry for a denial could not be written'),
      );
    throw new NotStarted(denyError(decision));
  }
  const consent = decision.consent;
  try {
    const envelope: RequestEnvelope = {
      v: 1,
      exchangeId: x.exchangeId,
      nodeId: deps.nodeId,
      replyTopic: deps.replyTopic,
      consumer: x.consumer,
      provider: decision.provider,
      recordType: request.recordType,
      subject: request.subject,
      purpose: request.purpose,
      fields: decision.fields,
      clientRequestId: request.clientRequestId,
      lawfulBasis: decision.basis.basis,
      ...(consent
        ? {
            consent: {
              id: consent.consentId,
              consumer: consent.consumer,
              purposes: consent.purposes,
              recordTypes: consent.items.map((i) => i.recordType),
            },
          }
        : {}),
      iat: Date.now(),
      exp: x.deadline,
    };
    const jws = await signRequestEnvelope(envelope, deps.hubKey);
    x.log.debug(
      {
        agreement: decision.agreement.id,
        provider: decision.provider,
        reason: decision.reason,
        rule: decision.rule,
      },
      'exchange permitted',
    );
    return { envelope, jws, agreement: decision.agreement };
  } catch (error) {
    throw new NotStarted(error);
  }
}

/**
 * The Kafka key of a request: one-way from the subject's pseudonym, so one
 * subject's requests stay ordered on one partition, yet a provider that sees
 * the citizen id beside this key learns nothing that names the person in the
 * audit or consent topics (those carry the pseudonym itself).
 */
function requestPartitionKey(subjectRef: string): string {
  return sha256b64url(`xhub/request-key\u0000${subjectRef}`);
}
