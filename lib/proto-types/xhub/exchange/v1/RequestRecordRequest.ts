// Original file: proto/xhub/exchange/v1/exchange.proto


export interface RequestRecordRequest {
  /**
   * Thai 13-digit citizen id; the check digit is validated.
   */
  'subject'?: (string);
  /**
   * A record type id from the registry, e.g. "dopa.civil-registration.person".
   */
  'recordType'?: (string);
  /**
   * A purpose code from the registry, e.g. "WELFARE_ELIGIBILITY".
   */
  'purpose'?: (string);
  /**
   * Optional subset of the fields the agreement allows; empty asks for all of them.
   */
  'fields'?: (string)[];
  /**
   * Idempotency key chosen by the caller (1-128 characters). The same key from the
   * same agency never causes a second transfer; a retry gets the first outcome.
   */
  'clientRequestId'?: (string);
  /**
   * The citizen's consent, where the agreement's lawful basis is consent (PDPA s.19).
   */
  'consentId'?: (string);
}

export interface RequestRecordRequest__Output {
  /**
   * Thai 13-digit citizen id; the check digit is validated.
   */
  'subject': (string);
  /**
   * A record type id from the registry, e.g. "dopa.civil-registration.person".
   */
  'recordType': (string);
  /**
   * A purpose code from the registry, e.g. "WELFARE_ELIGIBILITY".
   */
  'purpose': (string);
  /**
   * Optional subset of the fields the agreement allows; empty asks for all of them.
   */
  'fields': (string)[];
  /**
   * Idempotency key chosen by the caller (1-128 characters). The same key from the
   * same agency never causes a second transfer; a retry gets the first outcome.
   */
  'clientRequestId': (string);
  /**
   * The citizen's consent, where the agreement's lawful basis is consent (PDPA s.19).
   */
  'consentId': (string);
}
