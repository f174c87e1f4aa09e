// Original file: proto/xhub/exchange/v1/exchange.proto

import type { BulkJob as _xhub_exchange_v1_BulkJob, BulkJob__Output as _xhub_exchange_v1_BulkJob__Output } from '../../../xhub/exchange/v1/BulkJob.ts';
import type { BulkSubjects as _xhub_exchange_v1_BulkSubjects, BulkSubjects__Output as _xhub_exchange_v1_BulkSubjects__Output } from '../../../xhub/exchange/v1/BulkSubjects.ts';

/**
 * Bulk exchange (RequestRecords) messages.
 */
export interface BulkRequest {
  'job'?: (_xhub_exchange_v1_BulkJob | null);
  'subjects'?: (_xhub_exchange_v1_BulkSubjects | null);
  'message'?: "job"|"subjects";
}

/**
 * Bulk exchange (RequestRecords) messages.
 */
export interface BulkRequest__Output {
  'job'?: (_xhub_exchange_v1_BulkJob__Output | null);
  'subjects'?: (_xhub_exchange_v1_BulkSubjects__Output | null);
  'message'?: "job"|"subjects";
}
