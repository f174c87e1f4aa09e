// Original file: proto/xhub/consent/v1/consent.proto


export interface RevokeAllResponse {
  'revokedConsentIds'?: (string)[];
}

export interface RevokeAllResponse__Output {
  'revokedConsentIds': (string)[];
}
