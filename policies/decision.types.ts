import type { ErrorCode } from '../lib/errors/error-codes.ts';
import type { ConsentState } from './consent.types.ts';
import type { Agreement, LawfulBasis } from './policy.types.ts';

export type PermitReason = 'PERMIT_LAWFUL_BASIS' | 'PERMIT_CONSENT' | 'PERMIT_S26_EXCEPTION';

/** Every decision names its reason code, the rule that decided and the policy entry it rests on. */
interface Decided {
  rule: string;
  /** e.g. `agreements.json#/agreements/3`. */
  source: string;
}

export interface Permit extends Decided {
  effect: 'permit';
  reason: PermitReason;
  agreement: Agreement;
  provider: string;
  basis: LawfulBasis;
  /** The fields the provider may deliver. */
  fields: string[];
  consent?: ConsentState;
}

export interface Deny extends Decided {
  effect: 'deny';
  reason: ErrorCode;
  message: string;
}

export type Decision = Permit | Deny;

export interface DecisionInput {
  consumer: string;
  recordType: string;
  purpose: string;
  /** The caller's subset; empty means every field the agreement allows. */
  fields: readonly string[];
  now: number;
  /** Pseudonym of the subject, to match against a consent. */
  subjectRef?: string;
  consentId?: string;
}
