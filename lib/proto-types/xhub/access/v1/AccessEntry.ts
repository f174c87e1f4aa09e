// Original file: proto/xhub/access/v1/access.proto


export interface AccessEntry {
  /**
   * RFC 3339, when the record was handed out.
   */
  'at'?: (string);
  /**
   * delivered, or replayed (a retry answered from the stored delivery).
   */
  'kind'?: (string);
  'consumer'?: (string);
  'consumerName'?: (string);
  'provider'?: (string);
  'providerName'?: (string);
  'recordType'?: (string);
  'recordTypeTitle'?: (string);
  'purpose'?: (string);
  'purposeTitle'?: (string);
  /**
   * consent, or a PDPA s.24 basis.
   */
  'lawfulBasis'?: (string);
  /**
   * The provision the agreement cites for a basis other than consent.
   */
  'statute'?: (string);
  /**
   * The consent relied on, where the basis is consent.
   */
  'consentId'?: (string);
  'exchangeId'?: (string);
  'fields'?: (string)[];
}

export interface AccessEntry__Output {
  /**
   * RFC 3339, when the record was handed out.
   */
  'at': (string);
  /**
   * delivered, or replayed (a retry answered from the stored delivery).
   */
  'kind': (string);
  'consumer': (string);
  'consumerName': (string);
  'provider': (string);
  'providerName': (string);
  'recordType': (string);
  'recordTypeTitle': (string);
  'purpose': (string);
  'purposeTitle': (string);
  /**
   * consent, or a PDPA s.24 basis.
   */
  'lawfulBasis': (string);
  /**
   * The provision the agreement cites for a basis other than consent.
   */
  'statute': (string);
  /**
   * The consent relied on, where the basis is consent.
   */
  'consentId': (string);
  'exchangeId': (string);
  'fields': (string)[];
}
