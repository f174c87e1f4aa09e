import { HubError } from '../lib/errors/hub-error.ts';
import type { Agreement, Policy } from './policy.types.ts';

export interface DecisionInput {
  consumer: string;
  recordType: string;
  purpose: string;
  /** The caller's subset; empty means every field the agreement allows. */
  fields: readonly string[];
  now: number;
}

export interface Permit {
  agreement: Agreement;
  provider: string;
  /** The fields the provider may deliver. */
  fields: string[];
}

/**
 * The data-sharing decision. Default deny: a permit needs an agreement in
 * force between exactly these parties, for this record type and purpose,
 * covering every requested field (PDPA s.22 minimisation, s.21 purpose limit).
 * Record type and purpose must already be known (input validation).
 */
export function decide(policy: Policy, input: DecisionInput): Permit {
  const recordType = policy.recordTypes.get(input.recordType);
  if (!recordType) throw new HubError('ERR_UNKNOWN_RECORD_TYPE', `unknown record type "${input.recordType}"`);
  const consumer = policy.agencies.get(input.consumer);
  if (!consumer?.roles.includes('consumer')) {
    throw new HubError('ERR_NOT_CONSUMER', `agency ${input.consumer} is not registered to request records`);
  }
  const between = policy.agreements.filter(
    (a) => a.consumer === input.consumer && a.provider === recordType.provider && a.recordType === input.recordType,
  );
  if (between.length === 0) {
    throw new HubError('ERR_NO_AGREEMENT', `no data-sharing agreement lets ${input.consumer} receive ${input.recordType} from ${recordType.provider}`);
  }
  const inForce = between.filter((a) => a.validFrom <= input.now && (a.validTo === undefined || input.now < a.validTo));
  if (inForce.length === 0) {
    throw new HubError('ERR_AGREEMENT_NOT_IN_FORCE', `agreement ${between.map((a) => a.id).join(', ')} is not in force at this time`);
  }
  const forPurpose = inForce.filter((a) => a.purposes.includes(input.purpose));
  if (forPurpose.length === 0) {
    throw new HubError('ERR_PURPOSE_NOT_AGREED', `agreement ${inForce.map((a) => a.id).join(', ')} does not cover purpose ${input.purpose}`);
  }
  const requested = input.fields.length > 0 ? [...new Set(input.fields)] : undefined;
  for (const agreement of forPurpose) {
    const beyond = requested?.filter((f) => !agreement.fields.includes(f)) ?? [];
    if (beyond.length === 0) return { agreement, provider: recordType.provider, fields: requested ?? [...agreement.fields] };
  }
  const allowed = new Set(forPurpose.flatMap((a) => a.fields));
  const beyond = (requested ?? []).filter((f) => !allowed.has(f));
  throw new HubError(
    'ERR_FIELDS_NOT_ALLOWED',
    `fields beyond the agreement: ${beyond.length > 0 ? beyond.join(', ') : 'the requested set is not covered by any single agreement'}`,
  );
}
