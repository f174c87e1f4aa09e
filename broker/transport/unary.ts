import type * as grpc from '@grpc/grpc-js';
import type { ErrorCode } from '../../lib/errors/error-codes.ts';
import { toHubError } from '../../lib/errors/hub-error.ts';
import type { Logger } from '../../lib/log.ts';
import { certificateFingerprint } from '../../lib/tls/certificates.ts';
import type { CallContext } from './call-context.ts';
import { requestDigestOf } from './request-digest.ts';
import type { SecurityEvents } from './security-events.ts';
import { toServiceError } from './status-map.ts';

export type UnaryHandler<Req, Res> = (ctx: CallContext, request: Req) => Promise<Res>;

/** A call as it completed, for metrics: no request content, so no citizen id or token. */
export interface CompletedCall {
  ctx: CallContext;
  /** 'OK', or the hub error code the caller got (its xhub-error-code trailer). */
  code: 'OK' | ErrorCode;
  seconds: number;
}

/** What every adapted handler shares: where internal errors, security events and completed calls go. */
export interface UnaryEdge {
  log: Logger;
  security: SecurityEvents;
  observe?: (call: CompletedCall) => void;
}

/**
 * Adapts a promise-returning handler to grpc-js: builds the call's context,
 * and turns hub errors into gRPC status, recording security events on the way,
 * in this one place rather than in each handler.
 */
export function unary<Req, Res>(handler: UnaryHandler<Req, Res>, edge: UnaryEdge): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const started = performance.now();
    const ctx = callContext(call, call.request);
    const completed = (code: CompletedCall['code']) => edge.observe?.({ ctx, code, seconds: (performance.now() - started) / 1000 });
    handler(ctx, call.request).then(
      (response) => {
        completed('OK');
        callback(null, response);
      },
      async (error: unknown) => {
        const hubError = toHubError(error);
        if (hubError.code === 'ERR_INTERNAL') edge.log.error({ err: hubError }, 'internal error');
        await edge.security.record(hubError, ctx);
        completed(hubError.code);
        callback(toServiceError(hubError));
      },
    );
  };
}

/** Every method of a service implementation, adapted with `unary`. */
export function unaryService(impl: Record<string, (ctx: CallContext, request: never) => Promise<unknown>>, edge: UnaryEdge): grpc.UntypedServiceImplementation {
  return Object.fromEntries(Object.entries(impl).map(([method, handler]) => [method, unary(handler, edge) as grpc.UntypedHandleCall]));
}

/** The context of a call; `request` is the message the token must cover (a stream's first). */
export function callContext(call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerDuplexStream<unknown, unknown>, request: unknown): CallContext {
  const deadline = call.getDeadline();
  // Present only when the TLS layer verified the chain to the node's client CA.
  const peerCert = call.getAuthContext()?.sslPeerCertificate?.raw;
  return {
    metadata: call.metadata,
    requestDigest: requestDigestOf(request),
    ...(peerCert ? { peerCertSha256: certificateFingerprint(peerCert) } : {}),
    deadline: deadline instanceof Date ? deadline.getTime() : deadline,
    method: call.getPath(),
    peer: call.getPeer(),
  };
}
