import type * as grpc from '@grpc/grpc-js';
import { toHubError } from '../../lib/errors/hub-error.ts';
import type { Logger } from '../../lib/log.ts';
import { toServiceError } from './status-map.ts';

export type UnaryHandler<Req, Res> = (metadata: grpc.Metadata, request: Req, deadline: number) => Promise<Res>;

/** Adapts a promise-returning handler to grpc-js; hub errors become gRPC status here. */
export function unary<Req, Res>(handler: UnaryHandler<Req, Res>, log: Logger): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const deadline = call.getDeadline();
    handler(call.metadata, call.request, deadline instanceof Date ? deadline.getTime() : deadline).then(
      (response) => callback(null, response),
      (error: unknown) => {
        const hubError = toHubError(error);
        if (hubError.code === 'ERR_INTERNAL') log.error({ err: hubError }, 'internal error');
        callback(toServiceError(hubError));
      },
    );
  };
}

/** Every method of a service implementation, adapted with `unary`. */
export function unaryService(impl: Record<string, (metadata: grpc.Metadata, request: never, deadline: number) => Promise<unknown>>, log: Logger): grpc.UntypedServiceImplementation {
  return Object.fromEntries(Object.entries(impl).map(([method, handler]) => [method, unary(handler, log) as grpc.UntypedHandleCall]));
}
