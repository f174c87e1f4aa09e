// Original file: proto/xhub/consent/v1/consent.proto


export interface RevokeAllRequest {
  'subject'?: (string);
  'reason'?: (string);
}

export interface RevokeAllRequest__Output {
  'subject': (string);
  'reason': (string);
}
