// Original file: proto/xhub/audit/v1/audit.proto

import type { Long } from '@grpc/proto-loader';

export interface ProveConsistencyRequest {
  'first'?: (number | string | Long);
  'second'?: (number | string | Long);
}

export interface ProveConsistencyRequest__Output {
  'first': (string);
  'second': (string);
}
