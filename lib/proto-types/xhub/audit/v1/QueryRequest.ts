// Original file: proto/xhub/audit/v1/audit.proto


/**
 * Every filter is optional; entries match all that are set.
 */
export interface QueryRequest {
  /**
   * A citizen id: the node pseudonymises it with its key and matches that.
   */
  'subject'?: (string);
  /**
   * Matches the consumer or the provider.
   */
  'agency'?: (string);
  'recordType'?: (string);
  'purpose'?: (string);
  'lawfulBasis'?: (string);
  /**
   * permit or deny.
   */
  'decision'?: (string);
  /**
   * request-received, decision, delivered, failed, timed-out, consent-granted, consent-revoked, policy-reloaded, admin, access-denied, viewed.
   */
  'kind'?: (string);
  /**
   * RFC 3339 times, inclusive from, exclusive to.
   */
  'from'?: (string);
  'to'?: (string);
  /**
   * 1 to 1000; default 100.
   */
  'pageSize'?: (number);
  'pageToken'?: (string);
}

/**
 * Every filter is optional; entries match all that are set.
 */
export interface QueryRequest__Output {
  /**
   * A citizen id: the node pseudonymises it with its key and matches that.
   */
  'subject': (string);
  /**
   * Matches the consumer or the provider.
   */
  'agency': (string);
  'recordType': (string);
  'purpose': (string);
  'lawfulBasis': (string);
  /**
   * permit or deny.
   */
  'decision': (string);
  /**
   * request-received, decision, delivered, failed, timed-out, consent-granted, consent-revoked, policy-reloaded, admin, access-denied, viewed.
   */
  'kind': (string);
  /**
   * RFC 3339 times, inclusive from, exclusive to.
   */
  'from': (string);
  'to': (string);
  /**
   * 1 to 1000; default 100.
   */
  'pageSize': (number);
  'pageToken': (string);
}
