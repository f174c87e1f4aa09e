// Original file: proto/xhub/exchange/v1/exchange.proto

import type { BulkResults as _xhub_exchange_v1_BulkResults, BulkResults__Output as _xhub_exchange_v1_BulkResults__Output } from '../../../xhub/exchange/v1/BulkResults.ts';
import type { BulkProgress as _xhub_exchange_v1_BulkProgress, BulkProgress__Output as _xhub_exchange_v1_BulkProgress__Output } from '../../../xhub/exchange/v1/BulkProgress.ts';

export interface BulkResponse {
  'results'?: (_xhub_exchange_v1_BulkResults | null);
  'progress'?: (_xhub_exchange_v1_BulkProgress | null);
  'message'?: "results"|"progress";
}

export interface BulkResponse__Output {
  'results'?: (_xhub_exchange_v1_BulkResults__Output | null);
  'progress'?: (_xhub_exchange_v1_BulkProgress__Output | null);
  'message'?: "results"|"progress";
}
