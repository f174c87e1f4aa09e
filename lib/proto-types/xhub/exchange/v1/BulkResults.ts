// Original file: proto/xhub/exchange/v1/exchange.proto

import type { BulkResult as _xhub_exchange_v1_BulkResult, BulkResult__Output as _xhub_exchange_v1_BulkResult__Output } from '../../../xhub/exchange/v1/BulkResult.ts';

export interface BulkResults {
  'items'?: (_xhub_exchange_v1_BulkResult)[];
}

export interface BulkResults__Output {
  'items': (_xhub_exchange_v1_BulkResult__Output)[];
}
