// Original file: proto/xhub/exchange/v1/exchange.proto


export interface BulkSubject {
  /**
   * The caller's number for this item, unique in the job (0 to 2^31-1), increasing.
   */
  'index'?: (number);
  /**
   * Thai 13-digit citizen id; the check digit is validated.
   */
  'subject'?: (string);
  /**
   * The citizen's consent, where the agreement's lawful basis is consent (PDPA s.19).
   */
  'consentId'?: (string);
}

export interface BulkSubject__Output {
  /**
   * The caller's number for this item, unique in the job (0 to 2^31-1), increasing.
   */
  'index': (number);
  /**
   * Thai 13-digit citizen id; the check digit is validated.
   */
  'subject': (string);
  /**
   * The citizen's consent, where the agreement's lawful basis is consent (PDPA s.19).
   */
  'consentId': (string);
}
