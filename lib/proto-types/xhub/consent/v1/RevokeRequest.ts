// Original file: proto/xhub/consent/v1/consent.proto


export interface RevokeRequest {
  'consentId'?: (string);
  /**
   * The person the consent belongs to: the consent manager speaks for this person.
   */
  'subject'?: (string);
  'reason'?: (string);
}

export interface RevokeRequest__Output {
  'consentId': (string);
  /**
   * The person the consent belongs to: the consent manager speaks for this person.
   */
  'subject': (string);
  'reason': (string);
}
