import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import { LOADER_OPTIONS } from '../../lib/proto.ts';

export interface ServiceBinding {
  /** Fully qualified name, for health status. */
  name: string;
  definition: protoLoader.PackageDefinition;
  service: grpc.ServiceDefinition;
  handlers: grpc.UntypedServiceImplementation;
}

export interface GrpcServer {
  port: number;
  setServing(serving: boolean): void;
  stop(): Promise<void>;
}

/**
 * The node's gRPC edge: its services, grpc.health.v1 and server reflection (so
 * grpcurl can list and call them). Requests are small: bigger messages are refused.
 */
export async function startGrpcServer(listen: string, services: ServiceBinding[]): Promise<GrpcServer> {
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 });
  for (const s of services) server.addService(s.service, s.handlers);
  const names = ['', ...services.map((s) => s.name)];
  const health = new HealthImplementation(Object.fromEntries(names.map((n) => [n, 'NOT_SERVING' as const])));
  health.addToServer(server);
  const definitions = Object.assign({}, ...services.map((s) => s.definition), protoLoader.loadSync(healthProtoPath, LOADER_OPTIONS)) as protoLoader.PackageDefinition;
  new ReflectionService(definitions).addToServer(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(listen, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return {
    port,
    setServing: (serving) => names.forEach((n) => health.setStatus(n, serving ? 'SERVING' : 'NOT_SERVING')),
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
