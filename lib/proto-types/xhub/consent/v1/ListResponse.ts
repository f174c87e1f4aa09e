// Original file: proto/xhub/consent/v1/consent.proto

import type { ConsentRecord as _xhub_consent_v1_ConsentRecord, ConsentRecord__Output as _xhub_consent_v1_ConsentRecord__Output } from '../../../xhub/consent/v1/ConsentRecord.ts';

export interface ListResponse {
  'consents'?: (_xhub_consent_v1_ConsentRecord)[];
}

export interface ListResponse__Output {
  'consents': (_xhub_consent_v1_ConsentRecord__Output)[];
}
