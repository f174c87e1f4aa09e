// Original file: proto/xhub/audit/v1/audit.proto

import type { Long } from '@grpc/proto-loader';

export interface ConsistencyProof {
  'first'?: (number | string | Long);
  'second'?: (number | string | Long);
  /**
   * Base64 hashes, RFC 9162 §2.1.4.
   */
  'hashes'?: (string)[];
}

export interface ConsistencyProof__Output {
  'first': (string);
  'second': (string);
  /**
   * Base64 hashes, RFC 9162 §2.1.4.
   */
  'hashes': (string)[];
}
