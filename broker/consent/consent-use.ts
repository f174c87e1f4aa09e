import { HubError } from '../../lib/errors/hub-error.ts';
import type { Decision, Deny, Permit } from '../../policies/decide.ts';
import type { ConsentLog } from './consent-log.ts';

/**
 * A consent-based permit holds only once its use is counted by the consent
 * log (ConsentLog.use): the decision saw this node's view, which another node's
 * use, or a withdrawal, may already have overtaken. Returns the permit, or the
 * deny it becomes, under the consent rule; a permit on another basis passes as it is.
 */
export async function spendConsentUse(consents: ConsentLog, permit: Permit, exchangeId: string, deadline: number): Promise<Decision> {
  const consent = permit.consent;
  if (!consent) return permit;
  const deny = (reason: Deny['reason'], message: string): Deny => ({ effect: 'deny', reason, message, rule: 'consent-covers-request', source: permit.source });
  try {
    const verdict = await consents.use(consent.consentId, exchangeId, deadline);
    if (verdict.counted) return permit;
    switch (verdict.reason) {
      case 'ERR_CONSENT_USES_EXHAUSTED':
        return deny(verdict.reason, `consent ${consent.consentId} allowed ${consent.maxUses} transfers and all are used`);
      case 'ERR_CONSENT_REVOKED':
        return deny(verdict.reason, `consent ${consent.consentId} was revoked`);
      case 'ERR_CONSENT_NOT_FOUND':
        return deny(verdict.reason, `no consent with id ${consent.consentId} on the consent log`);
    }
  } catch (error) {
    if (!(error instanceof HubError)) throw error;
    return deny(error.code, error.message);
  }
}
