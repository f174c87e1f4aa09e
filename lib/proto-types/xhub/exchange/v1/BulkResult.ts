// Original file: proto/xhub/exchange/v1/exchange.proto

import type { BulkRecordProof as _xhub_exchange_v1_BulkRecordProof, BulkRecordProof__Output as _xhub_exchange_v1_BulkRecordProof__Output } from '../../../xhub/exchange/v1/BulkRecordProof.ts';

// Original file: proto/xhub/exchange/v1/exchange.proto

export const _xhub_exchange_v1_BulkResult_Status = {
  STATUS_UNSPECIFIED: 'STATUS_UNSPECIFIED',
  /**
   * The record is in record_json, with its proof.
   */
  DELIVERED: 'DELIVERED',
  /**
   * Delivered by an earlier run of this job (exchange_id); not sent again.
   */
  ALREADY_DELIVERED: 'ALREADY_DELIVERED',
  /**
   * Not delivered: error_code and error_message say why (a denial, not found...).
   */
  FAILED: 'FAILED',
} as const;

export type _xhub_exchange_v1_BulkResult_Status =
  | 'STATUS_UNSPECIFIED'
  | 0
  /**
   * The record is in record_json, with its proof.
   */
  | 'DELIVERED'
  | 1
  /**
   * Delivered by an earlier run of this job (exchange_id); not sent again.
   */
  | 'ALREADY_DELIVERED'
  | 2
  /**
   * Not delivered: error_code and error_message say why (a denial, not found...).
   */
  | 'FAILED'
  | 3

export type _xhub_exchange_v1_BulkResult_Status__Output = typeof _xhub_exchange_v1_BulkResult_Status[keyof typeof _xhub_exchange_v1_BulkResult_Status]

export interface BulkResult {
  'index'?: (number);
  'status'?: (_xhub_exchange_v1_BulkResult_Status);
  'exchangeId'?: (string);
  'providerId'?: (string);
  /**
   * The record as RFC 8785 canonical JSON, holding exactly `fields_delivered`.
   */
  'recordJson'?: (string);
  'fieldsDelivered'?: (string)[];
  'errorCode'?: (string);
  'errorMessage'?: (string);
  'proof'?: (_xhub_exchange_v1_BulkRecordProof | null);
}

export interface BulkResult__Output {
  'index': (number);
  'status': (_xhub_exchange_v1_BulkResult_Status__Output);
  'exchangeId': (string);
  'providerId': (string);
  /**
   * The record as RFC 8785 canonical JSON, holding exactly `fields_delivered`.
   */
  'recordJson': (string);
  'fieldsDelivered': (string)[];
  'errorCode': (string);
  'errorMessage': (string);
  'proof': (_xhub_exchange_v1_BulkRecordProof__Output | null);
}
