import type { ConsentLookup } from './consent.types.ts';
import { consentStatus } from './consent.types.ts';
import type { Deny, DecisionInput } from './decision.types.ts';
import type { Agreement } from './policy.types.ts';

/**
 * PDPA s.19: where consent is the basis, an active consent must cover exactly
 * this subject, consumer, record type (from this provider) and purpose, inside
 * its validity window and use limit. Returns the deny, or undefined when covered.
 */
export function checkConsent(input: DecisionInput, agreement: Agreement, consents: ConsentLookup | undefined): Deny | undefined {
  const deny = (reason: Deny['reason'], message: string): Deny => ({ effect: 'deny', reason, message, rule: 'consent-covers-request', source: agreement.source });
  if (!input.consentId) return deny('ERR_CONSENT_REQUIRED', `agreement ${agreement.id} rests on consent: the request must name a consent id`);
  if (!consents?.isCurrent()) return deny('ERR_CONSENT_VIEW_STALE', 'this node has not caught up with the consent log; try again shortly');
  const consent = consents.get(input.consentId);
  if (!consent) return deny('ERR_CONSENT_NOT_FOUND', `no consent with id ${input.consentId}`);
  if (consent.subjectRef !== input.subjectRef) return deny('ERR_CONSENT_SUBJECT_MISMATCH', `consent ${consent.consentId} was given by another person`);
  if (consent.consumer !== input.consumer) return deny('ERR_CONSENT_WRONG_CONSUMER', `consent ${consent.consentId} is for ${consent.consumer}, not ${input.consumer}`);
  if (!consent.items.some((i) => i.recordType === input.recordType && i.provider === agreement.provider)) {
    return deny('ERR_CONSENT_WRONG_RECORD_TYPE', `consent ${consent.consentId} does not cover ${input.recordType} from ${agreement.provider}`);
  }
  if (!consent.purposes.includes(input.purpose)) return deny('ERR_CONSENT_WRONG_PURPOSE', `consent ${consent.consentId} does not cover purpose ${input.purpose}`);
  const status = consentStatus(consent, input.now);
  if (status === 'REVOKED') return deny('ERR_CONSENT_REVOKED', `consent ${consent.consentId} was revoked`);
  if (status === 'EXPIRED') return deny('ERR_CONSENT_EXPIRED', `consent ${consent.consentId} expired`);
  if (input.now < consent.validFrom) return deny('ERR_CONSENT_NOT_YET_VALID', `consent ${consent.consentId} is not valid yet`);
  if (consent.maxUses !== undefined && consent.uses >= consent.maxUses) {
    return deny('ERR_CONSENT_USES_EXHAUSTED', `consent ${consent.consentId} allowed ${consent.maxUses} transfers and all are used`);
  }
  return undefined;
}
