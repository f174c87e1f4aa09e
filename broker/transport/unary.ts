import type * as grpc from '@grpc/grpc-js';
import { toHubError } from '../../lib/errors/hub-error.ts';
import type { Logger } from '../../lib/log.ts';
import { certificateFingerprint } from '../../lib/tls/certificates.ts';
import type { CallContext } from './call-context.ts';
import { requestDigestOf } from './request-digest.ts';
import type { SecurityEvents } from './security-events.ts';
import { toServiceError } from './status-map.ts';

export type UnaryHandler<Req, Res> = (ctx: CallContext, request: Req) => Promise<Res>;

/** What every adapted handler shares: where internal errors and security events go. */
export interface UnaryEdge {
  log: Logger;
  security: SecurityEvents;
}

/**
 * Adapts a promise-returning handler to grpc-js: builds the call's context,
 * and turns hub errors into gRPC status, recording security events on the way,
 * in this one place rather than in each handler.
 */
export function unary<Req, Res>(handler: UnaryHandler<Req, Res>, edge: UnaryEdge): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const ctx = callContext(call);
    handler(ctx, call.request).then(
      (response) => callback(null, response),
      async (error: unknown) => {
        const hubError = toHubError(error);
        if (hubError.code === 'ERR_INTERNAL') edge.log.error({ err: hubError }, 'internal error');
        await edge.security.record(hubError, ctx);
        callback(toServiceError(hubError));
      },
    );
  };
}

/** Every method of a service implementation, adapted with `unary`. */
export function unaryService(impl: Record<string, (ctx: CallContext, request: never) => Promise<unknown>>, edge: UnaryEdge): grpc.UntypedServiceImplementation {
  return Object.fromEntries(Object.entries(impl).map(([method, handler]) => [method, unary(handler, edge) as grpc.UntypedHandleCall]));
}

function callContext(call: grpc.ServerUnaryCall<unknown, unknown>): CallContext {
  const deadline = call.getDeadline();
  // Present only when the TLS layer verified the chain to the node's client CA.
  const peerCert = call.getAuthContext()?.sslPeerCertificate?.raw;
  return {
    metadata: call.metadata,
    requestDigest: requestDigestOf(call.request),
    ...(peerCert ? { peerCertSha256: certificateFingerprint(peerCert) } : {}),
    deadline: deadline instanceof Date ? deadline.getTime() : deadline,
    method: call.getPath(),
    peer: call.getPeer(),
  };
}
