// Original file: proto/xhub/audit/v1/audit.proto

import type { Long } from '@grpc/proto-loader';

export interface GetCheckpointRequest {
  /**
   * The tree size of the checkpoint wanted; 0 (or unset) for the newest.
   */
  'size'?: (number | string | Long);
}

export interface GetCheckpointRequest__Output {
  /**
   * The tree size of the checkpoint wanted; 0 (or unset) for the newest.
   */
  'size': (string);
}
