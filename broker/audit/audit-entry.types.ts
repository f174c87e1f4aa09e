import type { SignatureBatch } from '../../lib/crypto/record-signature.ts';

/**
 * One audit log entry. The log is what a DPO reads to learn who received whose
 * data, when, why and on what basis — so every field is about the exchange,
 * never its content: the person appears only as a keyed pseudonym
 * (`subjectRef`), a record only as a digest.
 */
export const AUDIT_KINDS = ['request-received', 'decision', 'delivered', 'replayed', 'failed', 'timed-out', 'consent-granted', 'consent-revoked', 'policy-reloaded', 'admin', 'access-denied', 'viewed'] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

export interface AuditEntry {
  v: 1;
  /** Unique id of the entry. */
  id: string;
  kind: AuditKind;
  /** Epoch ms at the node that wrote it. */
  at: number;
  /** The node that wrote and signed it. */
  nodeId: string;
  /** Key id of the node's signing key, and its Ed25519 signature (lib/crypto/record-signature.ts). */
  kid: string;
  /** The entry's own signature, or `sigBatch`: one signature over many entries, with this entry's inclusion proof. */
  sig?: string;
  sigBatch?: SignatureBatch;
  exchangeId?: string;
  consumer?: string;
  provider?: string;
  recordType?: string;
  purpose?: string;
  subjectRef?: string;
  /** SHA-256 (base64url) of consumer and client request id: finds retries of one request without holding the id. */
  requestRef?: string;
  /** SHA-256 (base64url) of the consumer's token for this request: its own signature over what it asked for. */
  tokenDigest?: string;
  lawfulBasis?: string;
  consentId?: string;
  agreementId?: string;
  decision?: 'permit' | 'deny';
  /** Reason code (PERMIT_* or ERR_*). */
  reason?: string;
  rule?: string;
  source?: string;
  fields?: string[];
  /** SHA-256 (base64url) of the canonical JSON of the delivered record. */
  payloadDigest?: string;
  /** SHA-256 (base64url) of the provider's signature (the response JWS). */
  signatureDigest?: string;
  providerKeyId?: string;
  /** The provider's delivery receipt (compact JWS over digests only, lib/envelope/receipt.ts): its signature, kept without the record. */
  providerReceipt?: string;
  /**
   * Disclosure deferred by the agreement (an investigation, say): until this
   * epoch ms the delivery stays out of the citizen's own access log. Fixed,
   * signed, when the entry is written, so a later policy change cannot move it.
   */
  discloseAfter?: number;
  /** The legal citation that allows the deferral. */
  deferral?: string;
  /** Who did it, for consent and administrative entries; for `viewed`, the DPO or consent manager who looked. */
  actor?: string;
  detail?: string;
}
