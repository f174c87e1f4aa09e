// Original file: proto/xhub/audit/v1/audit.proto


export interface GetEvidenceRequest {
  'exchangeId'?: (string);
}

export interface GetEvidenceRequest__Output {
  'exchangeId': (string);
}
