// Original file: proto/xhub/consent/v1/consent.proto


export interface ListRequest {
  'subject'?: (string);
}

export interface ListRequest__Output {
  'subject': (string);
}
