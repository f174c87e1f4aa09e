// Original file: /work/main/proto/xhub/consent/v1/consent.proto


export interface GetRequest {
  'consentId'?: (string);
}

export interface GetRequest__Output {
  'consentId': (string);
}
