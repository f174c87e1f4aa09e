import type { Metadata } from '@grpc/grpc-js';

/**
 * What the transport knows about one call, handed to every handler instead of
 * raw metadata: the facts authentication binds the token to.
 */
export interface CallContext {
  /** Attacker-controlled: the caller's metadata (its bearer token among it). */
  metadata: Metadata;
  /** SHA-256 (base64url) of the request message's protobuf bytes exactly as received. */
  requestDigest: string;
  /** SHA-256 (lower-case hex) of the client certificate's DER, on a mutual-TLS connection. */
  peerCertSha256?: string;
  /** The caller's gRPC deadline, epoch ms (Infinity when it set none). */
  deadline: number;
  /** Full method path, e.g. `/xhub.audit.v1.Audit/Query`. */
  method: string;
  /** The remote address as grpc-js reports it. */
  peer: string;
  /** The agency, once its token has verified; set by `authenticate`, read by security events. */
  agency?: string;
}

/** `Audit/Query` from `/xhub.audit.v1.Audit/Query`: short enough for logs and audit details. */
export function shortMethod(method: string): string {
  return method.replace(/^\/(?:[^/]*\.)?([^./]+\/[^/]+)$/, '$1');
}
