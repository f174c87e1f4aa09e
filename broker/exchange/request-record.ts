import { randomUUID } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';
import type { SigningKey } from '../../lib/crypto/keys.ts';
import { canonicalJson, sha256b64url } from '../../lib/crypto/digest.ts';
import type { RequestEnvelope } from '../../lib/envelope/envelope.types.ts';
import { signRequestEnvelope } from '../../lib/envelope/request-envelope.ts';
import { HubError } from '../../lib/errors/hub-error.ts';
import type { TopicNames } from '../../lib/kafka/topics.ts';
import type { Logger } from '../../lib/log.ts';
import type { RequestRecordRequest, RequestRecordResponse } from '../../lib/proto.ts';
import type { ReplayGuard } from '../../lib/replay-guard.ts';
import { decide, denyError } from '../../policies/decide.ts';
import type { Policy } from '../../policies/policy.types.ts';
import { authenticate, type AuthOptions } from '../auth/authenticate.ts';
import { NotStarted, type IdempotencyStore } from '../idempotency/idempotency-store.ts';
import type { ReplyRouter } from '../routing/reply-router.ts';
import type { ConsentLog } from '../consent/consent-log.ts';
import type { Pseudonymiser } from '../../lib/crypto/pseudonym.ts';
import { validateRequest } from './validate-request.ts';

export interface ExchangeDeps {
  nodeId: string;
  policy: () => Policy;
  hubKey: SigningKey;
  router: ReplyRouter;
  topics: TopicNames;
  replyTopic: string;
  idempotency: IdempotencyStore<RequestRecordResponse>;
  consents: ConsentLog;
  pseudonyms: Pseudonymiser;
  replay: ReplayGuard;
  auth: AuthOptions;
  timeouts: { defaultMs: number; maxMs: number };
  log: Logger;
}

/**
 * One exchange: authenticate → validate → decide → sign → route → verify.
 * `callDeadline` is the caller's gRPC deadline (epoch ms, or Infinity).
 */
export async function requestRecord(
  deps: ExchangeDeps,
  metadata: Metadata,
  request: RequestRecordRequest,
  callDeadline: number,
): Promise<RequestRecordResponse> {
  const policy = deps.policy();
  const caller = await authenticate(metadata, policy, deps.replay, deps.auth);
  const valid = validateRequest(request, policy);
  const fingerprint = sha256b64url(
    canonicalJson({ s: valid.subject, r: valid.recordType, p: valid.purpose, f: [...valid.fields].sort(), c: valid.consentId }),
  );
  return deps.idempotency.run(caller.agency, valid.clientRequestId, fingerprint, () =>
    exchangeOnce(deps, policy, caller.agency, valid, deadlineFor(deps, callDeadline)),
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
  request: RequestRecordRequest,
  deadline: number,
): Promise<RequestRecordResponse> {
  const exchangeId = randomUUID();
  const log = deps.log.child({ exchangeId, consumer, recordType: request.recordType, purpose: request.purpose });
  let envelope: RequestEnvelope;
  let jws: string;
  try {
    const decision = decide(
      policy,
      {
        consumer,
        recordType: request.recordType,
        purpose: request.purpose,
        fields: request.fields,
        now: Date.now(),
        subjectRef: deps.pseudonyms.of(request.subject),
        ...(request.consentId ? { consentId: request.consentId } : {}),
      },
      deps.consents.view,
    );
    if (decision.effect === 'deny') {
      log.info({ code: decision.reason, rule: decision.rule, source: decision.source }, 'exchange denied');
      throw denyError(decision);
    }
    const permit = decision;
    const consent = permit.consent;
    // Count the use before anything is sent, in the same tick as the check, so
    // two concurrent calls on this node cannot both spend the last use.
    const used = consent && ({ v: 1, eventId: randomUUID(), type: 'used', at: Date.now(), consentId: consent.consentId, exchangeId } as const);
    const durableUse = used ? deps.consents.publish(used, used.consentId) : Promise.resolve();
    envelope = {
      v: 1,
      exchangeId,
      nodeId: deps.nodeId,
      replyTopic: deps.replyTopic,
      consumer,
      provider: permit.provider,
      recordType: request.recordType,
      subject: request.subject,
      purpose: request.purpose,
      fields: permit.fields,
      clientRequestId: request.clientRequestId,
      lawfulBasis: permit.basis.basis,
      ...(consent ? { consent: { id: consent.consentId, consumer: consent.consumer, purposes: consent.purposes, recordTypes: consent.items.map((i) => i.recordType) } } : {}),
      iat: Date.now(),
      exp: deadline,
    };
    [jws] = await Promise.all([signRequestEnvelope(envelope, deps.hubKey), durableUse]);
    log.info({ agreement: permit.agreement.id, provider: permit.provider, reason: permit.reason, rule: permit.rule }, 'exchange permitted');
  } catch (error) {
    throw new NotStarted(error);
  }
  const started = Date.now();
  const { response, responseJws, kid } = await deps.router.exchange(envelope, jws, deps.topics.requests(envelope.provider), deadline, deps.pseudonyms.of(request.subject)).catch((error: unknown) => {
    if (error instanceof HubError) log.warn({ code: error.code, ms: Date.now() - started }, 'exchange failed');
    // Refused before it was queued for Kafka: nothing was sent, so a retry with
    // the same client request id must be allowed to try again.
    if (error instanceof HubError && error.code === 'ERR_OVERLOADED') throw new NotStarted(error);
    throw error;
  });
  if (response.outcome === 'error') {
    log.info({ code: response.error.code, ms: Date.now() - started }, 'provider answered with an error');
    throw new HubError(response.error.code, `provider ${envelope.provider}: ${response.error.message}`);
  }
  log.info({ fields: response.fields.length, ms: Date.now() - started }, 'record delivered');
  return {
    exchangeId,
    providerId: envelope.provider,
    recordJson: JSON.stringify(response.record),
    fieldsDelivered: response.fields,
    providerSignature: responseJws,
    providerKeyId: kid,
  };
}
