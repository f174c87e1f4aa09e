import type { ServiceError, status } from '@grpc/grpc-js';
import { expect } from 'vitest';
import type { ErrorCode } from '../../lib/errors/error-codes.ts';

/** Awaits a call that must fail, and checks its gRPC status and hub error code; returns the message. */
export async function expectFailure(call: Promise<unknown>, grpcStatus: status, code: ErrorCode): Promise<string> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e as ServiceError,
  );
  expect(error, `expected ${code}, but the call succeeded`).toBeDefined();
  expect({ status: error!.code, code: error!.metadata?.get('xhub-error-code')[0], details: error!.details }).toMatchObject({
    status: grpcStatus,
    code,
  });
  return error!.details;
}
