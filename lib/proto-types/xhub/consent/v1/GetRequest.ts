// Original file: proto/xhub/consent/v1/consent.proto


export interface GetRequest {
  'consentId'?: (string);
}

export interface GetRequest__Output {
  'consentId': (string);
}
