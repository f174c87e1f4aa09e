/**
 * A citizen's consent (PDPA s.19), as the hub keeps it. Immutable once granted:
 * a change is a new consent. The subject is kept only as a keyed pseudonym, so
 * the permanent consent history holds no citizen id.
 */
export interface ConsentRecord {
  consentId: string;
  /** HMAC-SHA-256 pseudonym of the citizen id under the operator's key. */
  subjectRef: string;
  consumer: string;
  items: { recordType: string; provider: string }[];
  purposes: string[];
  /** Epoch ms. */
  validFrom: number;
  validTo: number;
  /** How long the consumer may keep what it receives, in days. */
  dataLifeDays: number;
  /** How many transfers the consent allows; absent means no limit. */
  maxUses?: number;
  collection: { method: CollectionMethod; collectedAt: number; reference?: string };
  /**
   * The person gave explicit consent (PDPA s.26 needs it for sensitive data).
   * Absent in consents granted before the field existed: read as not explicit.
   */
  explicit?: boolean;
  /** Version of the notice text shown to the citizen. */
  noticeVersion: string;
  grantedAt: number;
  grantedBy: string;
}

export type CollectionMethod = 'mobile-app' | 'web' | 'paper-form' | 'in-person' | 'call-centre';

export type ConsentStatus = 'ACTIVE' | 'REVOKED' | 'EXPIRED';

export interface ConsentState extends ConsentRecord {
  revokedAt?: number;
  revokedBy?: string;
  uses: number;
}

/** ACTIVE until revoked; EXPIRED once past validTo (derived from time, never stored). */
export function consentStatus(consent: ConsentState, now: number): ConsentStatus {
  if (consent.revokedAt !== undefined) return 'REVOKED';
  if (now >= consent.validTo) return 'EXPIRED';
  return 'ACTIVE';
}

/** What the decision needs from the consent view. */
export interface ConsentLookup {
  /** False while the view has not caught up with the consent topic: no consent-based decision then. */
  isCurrent(): boolean;
  get(consentId: string): ConsentState | undefined;
}
