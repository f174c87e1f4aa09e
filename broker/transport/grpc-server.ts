import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import { toHubError } from '../../lib/errors/hub-error.ts';
import type { Logger } from '../../lib/log.ts';
import { exchangeService, LOADER_OPTIONS, type RequestRecordRequest, type RequestRecordResponse } from '../../lib/proto.ts';
import { toServiceError } from './status-map.ts';

export const EXCHANGE_SERVICE_NAME = 'xhub.exchange.v1.Exchange';

export type RequestRecordHandler = (metadata: grpc.Metadata, request: RequestRecordRequest, deadline: number) => Promise<RequestRecordResponse>;

export interface GrpcServer {
  port: number;
  health: HealthImplementation;
  stop(): Promise<void>;
}

/**
 * The node's gRPC edge: Exchange, grpc.health.v1 and server reflection (so
 * grpcurl can list and call). Hub errors become gRPC status here and only here.
 */
export async function startGrpcServer(listen: string, onRequestRecord: RequestRecordHandler, log: Logger): Promise<GrpcServer> {
  const { definition, Client } = exchangeService();
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 });
  server.addService(Client.service, {
    RequestRecord: (call: grpc.ServerUnaryCall<RequestRecordRequest, RequestRecordResponse>, callback: grpc.sendUnaryData<RequestRecordResponse>) => {
      onRequestRecord(call.metadata, call.request, deadlineMs(call.getDeadline())).then(
        (response) => callback(null, response),
        (error: unknown) => {
          const hubError = toHubError(error);
          if (hubError.code === 'ERR_INTERNAL') log.error({ err: hubError }, 'internal error');
          callback(toServiceError(hubError));
        },
      );
    },
  });
  const health = new HealthImplementation({ '': 'NOT_SERVING', [EXCHANGE_SERVICE_NAME]: 'NOT_SERVING' });
  health.addToServer(server);
  const healthDefinition = protoLoader.loadSync(healthProtoPath, LOADER_OPTIONS);
  new ReflectionService({ ...definition, ...healthDefinition }).addToServer(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(listen, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return {
    port,
    health,
    stop: () =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.forceShutdown(), 5_000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}

function deadlineMs(deadline: grpc.Deadline): number {
  if (deadline instanceof Date) return deadline.getTime();
  return deadline;
}
