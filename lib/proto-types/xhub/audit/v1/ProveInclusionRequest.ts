// Original file: proto/xhub/audit/v1/audit.proto

import type { Long } from '@grpc/proto-loader';

export interface ProveInclusionRequest {
  'index'?: (number | string | Long);
  /**
   * Defaults to the newest checkpoint's size.
   */
  'treeSize'?: (number | string | Long);
}

export interface ProveInclusionRequest__Output {
  'index': (string);
  /**
   * Defaults to the newest checkpoint's size.
   */
  'treeSize': (string);
}
