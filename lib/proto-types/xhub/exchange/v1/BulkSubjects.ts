// Original file: proto/xhub/exchange/v1/exchange.proto

import type { BulkSubject as _xhub_exchange_v1_BulkSubject, BulkSubject__Output as _xhub_exchange_v1_BulkSubject__Output } from '../../../xhub/exchange/v1/BulkSubject.ts';

export interface BulkSubjects {
  'items'?: (_xhub_exchange_v1_BulkSubject)[];
}

export interface BulkSubjects__Output {
  'items': (_xhub_exchange_v1_BulkSubject__Output)[];
}
