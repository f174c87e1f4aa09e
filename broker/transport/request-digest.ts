import type * as grpc from '@grpc/grpc-js';
import { sha256b64url } from '../../lib/crypto/digest.ts';

/** Digest of the bytes each decoded request came from; weak, so it goes with the request. */
const digests = new WeakMap<object, string>();

/**
 * The service definition with each method's request deserialiser wrapped to
 * keep SHA-256 of the exact bytes received. The token's `req_sha256` is
 * checked against these bytes, not a re-encoding: protobuf encoding is not
 * canonical, so only the received bytes are what the caller signed.
 */
export function withRequestDigests(service: grpc.ServiceDefinition): grpc.ServiceDefinition {
  return Object.fromEntries(
    Object.entries(service).map(([name, method]) => [
      name,
      {
        ...method,
        requestDeserialize: (bytes: Buffer): unknown => {
          const request = method.requestDeserialize(bytes) as unknown;
          if (typeof request === 'object' && request !== null) digests.set(request, sha256b64url(bytes));
          return request;
        },
      },
    ]),
  );
}

/** The digest kept for a request decoded by a wrapped deserialiser; empty if there is none (matches no token). */
export function requestDigestOf(request: unknown): string {
  return (typeof request === 'object' && request !== null && digests.get(request)) || '';
}
