import { HubError } from '../../lib/errors/hub-error.ts';
import type { RequestRecordRequest, RequestRecordResponse } from '../../lib/proto.ts';
import { decide, denyError } from '../../policies/decide.ts';
import type { ConsentLookup } from '../../policies/consent.types.ts';
import { ExchangeAudit } from '../audit/exchange-audit.ts';
import type { ExchangeDeps } from './request-record.ts';

/**
 * A retry answered with the stored answer of the first exchange. Handing a
 * record out again is a disclosure of its own: the agreement and the consent
 * must still permit it now (a consent withdrawn since, an agreement ended or
 * narrowed, and the retry is denied), and it goes on the audit log as a
 * `replayed` entry under the first exchange's id. It is not a new use of the
 * consent: the first exchange spent that.
 */
export async function replayOutcome(
  deps: ExchangeDeps,
  consumer: string,
  tokenDigest: string,
  request: RequestRecordRequest,
  stored: RequestRecordResponse,
): Promise<RequestRecordResponse> {
  const policy = deps.policy();
  const subjectRef = deps.pseudonyms.of(request.subject);
  const log = deps.log.child({
    exchangeId: stored.exchangeId,
    consumer,
    recordType: request.recordType,
    purpose: request.purpose,
  });
  const audit = new ExchangeAudit(deps.audit, {
    exchangeId: stored.exchangeId,
    consumer,
    recordType: request.recordType,
    purpose: request.purpose,
    subjectRef,
  });
  const consentId = request.consentId || undefined;
  const decision = decide(
    policy,
    {
      consumer,
      recordType: request.recordType,
      purpose: request.purpose,
      fields: request.fields,
      now: Date.now(),
      subjectRef,
      ...(consentId ? { consentId } : {}),
    },
    withoutOwnUse(deps.consents.view, consentId),
  );
  const narrowed =
    decision.effect === 'permit' && stored.fieldsDelivered.some((f) => !decision.fields.includes(f));
  if (decision.effect === 'deny' || narrowed) {
    audit.decided(decision, consentId);
    await audit
      .settled()
      .catch((error: unknown) =>
        log.error({ err: error }, 'audit entry for a refused replay could not be written'),
      );
    log.info(
      { code: decision.effect === 'deny' ? decision.reason : 'ERR_FIELDS_NOT_ALLOWED' },
      'retry refused: the stored answer is no longer permitted',
    );
    if (decision.effect === 'deny') throw denyError(decision);
    throw new HubError(
      'ERR_FIELDS_NOT_ALLOWED',
      'the stored answer of this request holds fields the agreement no longer allows; send a new request',
    );
  }
  // No hand-out without its audit entry.
  await audit.replayed({
    clientRequestId: request.clientRequestId,
    tokenDigest,
    provider: stored.providerId,
    fields: stored.fieldsDelivered,
    recordJson: stored.recordJson,
    responseJws: stored.providerSignature,
    providerKeyId: stored.providerKeyId,
    providerReceipt: stored.providerReceipt,
    decision,
    consentId,
  });
  log.debug('stored answer handed out again to a retry');
  return stored;
}

/** The consent view as the first exchange saw it: its own use not counted against the limit. */
function withoutOwnUse(view: ConsentLookup, consentId: string | undefined): ConsentLookup {
  if (!consentId) return view;
  return {
    isCurrent: () => view.isCurrent(),
    get: (id) => {
      const consent = view.get(id);
      return consent && id === consentId ? { ...consent, uses: Math.max(0, consent.uses - 1) } : consent;
    },
  };
}
