import * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HubError } from '../../lib/errors/hub-error.ts';
import { ACCESS_PROTO, AUDIT_PROTO, CONSENT_PROTO, EXCHANGE_PROTO, PROTO_ROOT } from '../../lib/proto.ts';
import type { NodeTlsConfig } from '../config.ts';
import { withHeaderListLimit } from './header-limit.ts';
import { reflectionDefinition, type ProtoSource } from './reflection-descriptors.ts';
import { withRequestDigests } from './request-digest.ts';

export interface ServiceBinding {
  /** Fully qualified name, for health status. */
  name: string;
  service: grpc.ServiceDefinition;
  handlers: grpc.UntypedServiceImplementation;
}

export interface GrpcServer {
  port: number;
  setServing(serving: boolean): void;
  stop(): Promise<void>;
}

/** The contract as published through reflection: the .proto files themselves, by their names under proto/. */
const PUBLISHED_PROTOS: ProtoSource[] = [
  ...[EXCHANGE_PROTO, CONSENT_PROTO, AUDIT_PROTO, ACCESS_PROTO].map((name) => ({ path: join(PROTO_ROOT, name), name })),
  { path: healthProtoPath, name: 'grpc/health/v1/health.proto' },
];

/** How the node serves: TLS from files (the default), or plaintext where config allowed it (loopback only). */
export type ServerTransport = { tls: NodeTlsConfig } | { insecure: true };

/**
 * The node's gRPC edge: its services, grpc.health.v1 and server reflection (so
 * grpcurl can list and call them). Requests are small: bigger messages and header
 * lists are refused. Reflection serves the .proto files' own names and comments;
 * the handlers keep the shared loader options (camelCase).
 * Each service's request bytes are digested as they arrive, for the token's req_sha256.
 */
export async function startGrpcServer(listen: string, transport: ServerTransport, services: ServiceBinding[]): Promise<GrpcServer> {
  const credentials = 'tls' in transport ? withHeaderListLimit(await serverCredentials(transport.tls)) : grpc.ServerCredentials.createInsecure();
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 });
  for (const s of services) server.addService(withRequestDigests(s.service), s.handlers);
  const names = ['', ...services.map((s) => s.name)];
  const health = new HealthImplementation(Object.fromEntries(names.map((n) => [n, 'NOT_SERVING' as const])));
  health.addToServer(server);
  new ReflectionService(reflectionDefinition(PUBLISHED_PROTOS, [PROTO_ROOT]), { services: [...services.map((s) => s.name), 'grpc.health.v1.Health'] }).addToServer(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(listen, credentials, (error, bound) => (error ? reject(error) : resolve(bound))),
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

/**
 * TLS credentials from the node's files. With a client CA, every connection
 * must present a certificate chained to it (grpc-js verifies the chain; the
 * registry then binds the certificate to one agency).
 */
async function serverCredentials(tls: NodeTlsConfig): Promise<grpc.ServerCredentials> {
  const read = (file: string, what: string) =>
    readFile(file).catch((cause: unknown) => {
      throw new HubError('ERR_CONFIG_INVALID', `cannot read the TLS ${what} file ${file}`, { cause });
    });
  const [cert, key, ca] = await Promise.all([read(tls.certFile, 'certificate'), read(tls.keyFile, 'key'), tls.clientCaFile ? read(tls.clientCaFile, 'client CA') : null]);
  try {
    return grpc.ServerCredentials.createSsl(ca, [{ private_key: key, cert_chain: cert }], ca !== null && tls.requireClientCert !== false);
  } catch (cause) {
    throw new HubError('ERR_CONFIG_INVALID', `invalid TLS certificate or key: ${(cause as Error).message}`, { cause });
  }
}
