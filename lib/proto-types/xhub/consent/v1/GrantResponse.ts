// Original file: proto/xhub/consent/v1/consent.proto

import type { ConsentRecord as _xhub_consent_v1_ConsentRecord, ConsentRecord__Output as _xhub_consent_v1_ConsentRecord__Output } from '../../../xhub/consent/v1/ConsentRecord.ts';

export interface GrantResponse {
  'consent'?: (_xhub_consent_v1_ConsentRecord | null);
  /**
   * Consent receipt (fields after the Kantara Consent Receipt / ISO/IEC TS 27560)
   * as a compact JWS signed with the hub key; verify with the hub's JWKS.
   */
  'receipt'?: (string);
}

export interface GrantResponse__Output {
  'consent': (_xhub_consent_v1_ConsentRecord__Output | null);
  /**
   * Consent receipt (fields after the Kantara Consent Receipt / ISO/IEC TS 27560)
   * as a compact JWS signed with the hub key; verify with the hub's JWKS.
   */
  'receipt': (string);
}
