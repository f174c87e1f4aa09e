import { HubError } from '../lib/errors/hub-error.ts';
import type { ConsentLookup } from './consent.types.ts';
import { checkConsent } from './consent-rule.ts';
import type { Decision, DecisionInput, Deny } from './decision.types.ts';
import type { Agreement, Policy } from './policy.types.ts';

export type { Decision, DecisionInput, Deny, Permit } from './decision.types.ts';

/**
 * The data-sharing decision. Default deny: a permit needs an agreement in
 * force between exactly these parties, for this record type and purpose,
 * covering every requested field (PDPA s.21 purpose limit, s.22 minimisation),
 * with a lawful basis: consent that covers the request (s.19), or a s.24 basis
 * cited by the agreement. Sensitive data (s.26) also needs explicit consent
 * unless the agreement cites a s.26 exception.
 */
export function decide(policy: Policy, input: DecisionInput, consents?: ConsentLookup): Decision {
  const deny = (reason: Deny['reason'], message: string, rule: string, source: string): Deny => ({ effect: 'deny', reason, message, rule, source });
  const recordType = policy.recordTypes.get(input.recordType);
  if (!recordType) return deny('ERR_UNKNOWN_RECORD_TYPE', `unknown record type "${input.recordType}"`, 'record-type-known', 'record-types.json');
  const consumer = policy.agencies.get(input.consumer);
  if (!consumer?.roles.includes('consumer')) {
    return deny('ERR_NOT_CONSUMER', `agency ${input.consumer} is not registered to request records`, 'consumer-role', 'agencies.json');
  }
  const between = policy.agreements.filter(
    (a) => a.consumer === input.consumer && a.provider === recordType.provider && a.recordType === input.recordType,
  );
  if (between.length === 0) {
    return deny('ERR_NO_AGREEMENT', `no data-sharing agreement lets ${input.consumer} receive ${input.recordType} from ${recordType.provider}`, 'agreement-exists', 'agreements.json');
  }
  const withPurpose = between.filter((a) => a.purposes.includes(input.purpose));
  if (withPurpose.length === 0) {
    return deny('ERR_PURPOSE_NOT_AGREED', `agreement ${ids(between)} does not cover purpose ${input.purpose}`, 'purpose-agreed', between[0]!.source);
  }
  const forPurpose = withPurpose.filter((a) => a.validFrom <= input.now && (a.validTo === undefined || input.now < a.validTo));
  if (forPurpose.length === 0) {
    return deny('ERR_AGREEMENT_NOT_IN_FORCE', `agreement ${ids(withPurpose)} is not in force at this time`, 'agreement-in-force', withPurpose[0]!.source);
  }
  const requested = input.fields.length > 0 ? [...new Set(input.fields)] : undefined;
  const agreement = forPurpose.find((a) => (requested ?? []).every((f) => a.fields.includes(f)));
  if (!agreement) {
    const allowed = new Set(forPurpose.flatMap((a) => a.fields));
    const beyond = (requested ?? []).filter((f) => !allowed.has(f));
    const what = beyond.length > 0 ? beyond.join(', ') : 'the requested set is not covered by any single agreement';
    return deny('ERR_FIELDS_NOT_ALLOWED', `fields beyond the agreement: ${what}`, 'fields-within-agreement', forPurpose[0]!.source);
  }
  const permit = { effect: 'permit' as const, agreement, provider: recordType.provider, basis: agreement.lawfulBasis, fields: requested ?? [...agreement.fields] };
  const { basis, s26Exception } = agreement.lawfulBasis;

  if (recordType.sensitivity.class === 'sensitive' && basis !== 'consent') {
    if (!s26Exception) {
      return deny(
        'ERR_SENSITIVE_NO_EXCEPTION',
        `${input.recordType} is sensitive (${recordType.sensitivity.category}, PDPA s.26): explicit consent is needed, and agreement ${agreement.id} cites no s.26 exception`,
        's26-sensitive-data',
        agreement.source,
      );
    }
    return { ...permit, reason: 'PERMIT_S26_EXCEPTION', rule: 's26-sensitive-data', source: agreement.source };
  }
  if (basis === 'consent') {
    const denied = checkConsent(input, agreement, consents);
    if (denied) return denied;
    const consent = consents!.get(input.consentId!)!;
    // PDPA s.26: sensitive data on consent needs the person's explicit consent, not any consent.
    if (recordType.sensitivity.class === 'sensitive' && consent.explicit !== true) {
      return deny(
        'ERR_CONSENT_NOT_EXPLICIT',
        `${input.recordType} is sensitive (${recordType.sensitivity.category}, PDPA s.26): consent ${consent.consentId} was not given explicitly`,
        's26-sensitive-data',
        agreement.source,
      );
    }
    return { ...permit, reason: 'PERMIT_CONSENT', rule: 'consent-covers-request', source: agreement.source, consent };
  }
  return { ...permit, reason: 'PERMIT_LAWFUL_BASIS', rule: 's24-lawful-basis', source: agreement.source };
}

/** The error a deny becomes at the edge: its code, and a message naming the rule and the policy entry. */
export function denyError(denied: Deny): HubError {
  return new HubError(denied.reason, `${denied.message} [rule ${denied.rule}; ${denied.source}]`);
}

function ids(agreements: Agreement[]): string {
  return agreements.map((a) => a.id).join(', ');
}
