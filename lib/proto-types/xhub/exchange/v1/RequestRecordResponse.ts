// Original file: proto/xhub/exchange/v1/exchange.proto


export interface RequestRecordResponse {
  /**
   * The hub's id for this exchange; quote it to operators and DPOs.
   */
  'exchangeId'?: (string);
  /**
   * The agency that provided and signed the record.
   */
  'providerId'?: (string);
  /**
   * The record as JSON, holding exactly `fields_delivered`.
   */
  'recordJson'?: (string);
  'fieldsDelivered'?: (string)[];
  /**
   * The provider's compact JWS (EdDSA) over the response envelope, which holds the
   * record, the exchange id and the digest of the request it answers. Verify it with
   * the provider's public key from the registry to check provenance yourself.
   */
  'providerSignature'?: (string);
  /**
   * Key id of the provider key that signed, as found in the provider's JWKS.
   */
  'providerKeyId'?: (string);
  /**
   * The provider's delivery receipt: a compact JWS (EdDSA, typ xhub-receipt+jws, same
   * key) over the exchange id, parties, record type, request digest, the SHA-256 of the
   * record's RFC 8785 canonical JSON (record_json) and the fields. It holds no record
   * content; the audit log keeps it, and evidence bundles carry it.
   */
  'providerReceipt'?: (string);
}

export interface RequestRecordResponse__Output {
  /**
   * The hub's id for this exchange; quote it to operators and DPOs.
   */
  'exchangeId': (string);
  /**
   * The agency that provided and signed the record.
   */
  'providerId': (string);
  /**
   * The record as JSON, holding exactly `fields_delivered`.
   */
  'recordJson': (string);
  'fieldsDelivered': (string)[];
  /**
   * The provider's compact JWS (EdDSA) over the response envelope, which holds the
   * record, the exchange id and the digest of the request it answers. Verify it with
   * the provider's public key from the registry to check provenance yourself.
   */
  'providerSignature': (string);
  /**
   * Key id of the provider key that signed, as found in the provider's JWKS.
   */
  'providerKeyId': (string);
  /**
   * The provider's delivery receipt: a compact JWS (EdDSA, typ xhub-receipt+jws, same
   * key) over the exchange id, parties, record type, request digest, the SHA-256 of the
   * record's RFC 8785 canonical JSON (record_json) and the fields. It holds no record
   * content; the audit log keeps it, and evidence bundles carry it.
   */
  'providerReceipt': (string);
}
