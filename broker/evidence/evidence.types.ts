import type { JWK } from 'jose';

/** The format tag of an evidence bundle; a verifier refuses any other (docs/evidence-bundle.md). */
export const EVIDENCE_FORMAT = 'xhub-evidence/v1';

/**
 * Everything needed to prove, offline, what the hub logged about one
 * exchange: its audit entries exactly as logged, each with an RFC 9162
 * inclusion proof up to one C2SP signed checkpoint, the provider's delivery
 * receipt and the digest of the consumer's token. It holds no record content
 * and no citizen id (the person appears only as the log's keyed pseudonym).
 */
export interface EvidenceBundle {
  format: typeof EVIDENCE_FORMAT;
  exchangeId: string;
  /** The signed checkpoint every proof leads to: a C2SP signed note (origin, size, root hash; signature line). */
  checkpoint: string;
  entries: EvidenceEntry[];
  /** SHA-256 (base64url) of the consumer's token, as its `request-received` entry holds it. */
  tokenDigest?: string;
  /** The provider's delivery receipt (compact JWS), as its `delivered` entry holds it. */
  providerReceipt?: string;
  /**
   * The public keys this bundle was checked with when it was made: exactly
   * the keys its entries and receipt name. A verifier with trusted keys
   * refuses a bundle whose embedded keys differ from them; one without shows
   * these for comparison (never to trust blindly).
   */
  keys: {
    /** C2SP verifier key of the log (`<origin>+<key id>+<key>`). */
    log: string;
    /** Public JWKs of the nodes that signed the entries, by `<nodeId> <kid>`. */
    nodes: Record<string, JWK>;
    /** Public JWK of the provider key that signed the receipt, by `<agency> <kid>`. */
    providers: Record<string, JWK>;
  };
}

export interface EvidenceEntry {
  /** The entry's position in the log: its Merkle leaf index. */
  index: number;
  /** The entry's bytes exactly as logged, base64. */
  bytes: string;
  /** RFC 9162 §2.1.3 inclusion proof from this leaf to the checkpoint's root: base64 hashes. */
  inclusionProof: string[];
}
