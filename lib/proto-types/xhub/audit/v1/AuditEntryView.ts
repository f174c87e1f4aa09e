// Original file: proto/xhub/audit/v1/audit.proto

import type { Long } from '@grpc/proto-loader';

export interface AuditEntryView {
  /**
   * The entry's position in the log: its Merkle leaf index.
   */
  'index'?: (number | string | Long);
  /**
   * The entry as logged (canonical JSON), decoded as UTF-8: for reading. Bytes
   * that are not valid UTF-8 come back altered here; use `bytes` to verify.
   */
  'entryJson'?: (string);
  /**
   * RFC 9162 leaf hash, base64.
   */
  'leafHash'?: (string);
  /**
   * The entry's bytes exactly as logged: leaf_hash is the RFC 9162 leaf hash of these.
   */
  'bytes'?: (Buffer | Uint8Array | string);
}

export interface AuditEntryView__Output {
  /**
   * The entry's position in the log: its Merkle leaf index.
   */
  'index': (string);
  /**
   * The entry as logged (canonical JSON), decoded as UTF-8: for reading. Bytes
   * that are not valid UTF-8 come back altered here; use `bytes` to verify.
   */
  'entryJson': (string);
  /**
   * RFC 9162 leaf hash, base64.
   */
  'leafHash': (string);
  /**
   * The entry's bytes exactly as logged: leaf_hash is the RFC 9162 leaf hash of these.
   */
  'bytes': (Buffer);
}
