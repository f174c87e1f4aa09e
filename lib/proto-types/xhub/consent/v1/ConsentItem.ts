// Original file: proto/xhub/consent/v1/consent.proto


export interface ConsentItem {
  'recordType'?: (string);
  /**
   * The provider of the record type; may be left empty to take it from the registry.
   */
  'provider'?: (string);
}

export interface ConsentItem__Output {
  'recordType': (string);
  /**
   * The provider of the record type; may be left empty to take it from the registry.
   */
  'provider': (string);
}
