// Original file: proto/xhub/exchange/v1/exchange.proto


/**
 * Provenance of one record of a batch: the provider's compact JWS (EdDSA, typ
 * xhub-bulk-reply+jws) over the batch, whose payload holds `root`, the RFC 9162
 * Merkle tree hash over the batch's leaves; the leaf of this record is the RFC
 * 8785 canonical JSON of {exchangeId, fields, outcome: "delivered",
 * payloadDigest: SHA-256(record_json), subjectDigest: SHA-256(exchangeId ":"
 * subject)}, all digests base64url; `path` proves it is leaf `leaf_index` of
 * `tree_size`.
 */
export interface BulkRecordProof {
  'providerSignature'?: (string);
  'providerKeyId'?: (string);
  'leafIndex'?: (number);
  'treeSize'?: (number);
  /**
   * Base64url SHA-256 hashes, RFC 9162 inclusion proof order.
   */
  'path'?: (string)[];
}

/**
 * Provenance of one record of a batch: the provider's compact JWS (EdDSA, typ
 * xhub-bulk-reply+jws) over the batch, whose payload holds `root`, the RFC 9162
 * Merkle tree hash over the batch's leaves; the leaf of this record is the RFC
 * 8785 canonical JSON of {exchangeId, fields, outcome: "delivered",
 * payloadDigest: SHA-256(record_json), subjectDigest: SHA-256(exchangeId ":"
 * subject)}, all digests base64url; `path` proves it is leaf `leaf_index` of
 * `tree_size`.
 */
export interface BulkRecordProof__Output {
  'providerSignature': (string);
  'providerKeyId': (string);
  'leafIndex': (number);
  'treeSize': (number);
  /**
   * Base64url SHA-256 hashes, RFC 9162 inclusion proof order.
   */
  'path': (string)[];
}
