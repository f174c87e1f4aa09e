import * as grpc from '@grpc/grpc-js';

/**
 * The most header bytes (uncompressed, as HTTP/2 counts them) a call may carry.
 * A token is about 1 KB; 16 KiB is gRPC C-core's default hard limit.
 */
export const MAX_HEADER_LIST_BYTES = 16 * 1024;

/**
 * Server TLS credentials whose HTTP/2 server advertises and enforces
 * SETTINGS_MAX_HEADER_LIST_SIZE. grpc-js has no option for it, but merges a
 * secure credential's constructor options into `http2.createSecureServer`.
 *
 * Why (attacker-controlled input): without it, a header of ~64 KB (encoded)
 * overflows nghttp2's per-field HPACK limit; the node answers with a connection
 * GOAWAY (COMPRESSION_ERROR), every call on that connection dies, and grpc-go
 * clients (grpcurl) retry the unprocessed call until their deadline. With it:
 * - grpc-go and other clients that honour the setting refuse locally at once:
 *   INTERNAL "header list size to send violates the maximum size (16384 bytes) set by server";
 * - grpc-js clients send; Node resets only that stream with ENHANCE_YOUR_CALM:
 *   RESOURCE_EXHAUSTED "Bandwidth exhausted or memory limit exceeded";
 * - a single header still too large for HPACK (~64 KB encoded) from a client
 *   that ignores the setting still ends that client's own connection
 *   (INTERNAL "Received RST_STREAM with code 9"): nghttp2 decides that before
 *   any limit Node lets us set. Other connections are never affected.
 */
export function withHeaderListLimit(credentials: grpc.ServerCredentials, maxBytes = MAX_HEADER_LIST_BYTES): grpc.ServerCredentials {
  const options = credentials._getConstructorOptions();
  if (options === null) return credentials; // plaintext (loopback only): grpc-js gives no hook there
  return new LimitedServerCredentials({ ...options, settings: { ...options.settings, maxHeaderListSize: maxBytes } }, credentials._getSecureContextOptions() ?? undefined);
}

class LimitedServerCredentials extends grpc.ServerCredentials {
  override _equals(other: grpc.ServerCredentials): boolean {
    return other === this;
  }
}
