// Original file: proto/xhub/audit/v1/audit.proto

import type { Long } from '@grpc/proto-loader';

export interface InclusionProof {
  'index'?: (number | string | Long);
  'treeSize'?: (number | string | Long);
  'leafHash'?: (string);
  /**
   * Base64 hashes, RFC 9162 §2.1.3.
   */
  'hashes'?: (string)[];
}

export interface InclusionProof__Output {
  'index': (string);
  'treeSize': (string);
  'leafHash': (string);
  /**
   * Base64 hashes, RFC 9162 §2.1.3.
   */
  'hashes': (string)[];
}
