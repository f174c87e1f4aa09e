// Original file: proto/xhub/audit/v1/audit.proto

import type { Long } from '@grpc/proto-loader';

export interface Checkpoint {
  /**
   * The signed note: origin, tree size, root hash, then the signature line.
   */
  'note'?: (string);
  'size'?: (number | string | Long);
  'rootHash'?: (string);
}

export interface Checkpoint__Output {
  /**
   * The signed note: origin, tree size, root hash, then the signature line.
   */
  'note': (string);
  'size': (string);
  'rootHash': (string);
}
