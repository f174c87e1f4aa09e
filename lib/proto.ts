import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export const PROTO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', 'proto');
export const EXCHANGE_PROTO = 'xhub/exchange/v1/exchange.proto';
export const CONSENT_PROTO = 'xhub/consent/v1/consent.proto';
export const AUDIT_PROTO = 'xhub/audit/v1/audit.proto';
export const ACCESS_PROTO = 'xhub/access/v1/access.proto';

/** Options shared by server and clients, so both read the contract the same way. */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  arrays: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
};

export function loadPackageDefinition(files: string[]): protoLoader.PackageDefinition {
  return protoLoader.loadSync(files.map((f) => join(PROTO_ROOT, f)), LOADER_OPTIONS);
}

type ServiceCtor = grpc.ServiceClientConstructor;

interface Service {
  definition: protoLoader.PackageDefinition;
  Client: ServiceCtor;
}
const services = new Map<string, Service>();

/** A service's definition and client constructor from its proto file, parsed once per process. */
function service(file: string, path: string[]): Service {
  let found = services.get(file);
  if (!found) {
    const definition = loadPackageDefinition([file]);
    const Client = path.reduce<unknown>((node, name) => (node as Record<string, unknown>)[name], grpc.loadPackageDefinition(definition)) as ServiceCtor;
    found = { definition, Client };
    services.set(file, found);
  }
  return found;
}

/** The Exchange service definition and client constructor, from the proto file. */
export const exchangeService = (): Service => service(EXCHANGE_PROTO, ['xhub', 'exchange', 'v1', 'Exchange']);
/** The Consent service definition and client constructor. */
export const consentService = (): Service => service(CONSENT_PROTO, ['xhub', 'consent', 'v1', 'Consent']);
/** The Audit service definition and client constructor. */
export const auditService = (): Service => service(AUDIT_PROTO, ['xhub', 'audit', 'v1', 'Audit']);
/** The citizen's access log service (consent managers). */
export const accessLogService = (): Service => service(ACCESS_PROTO, ['xhub', 'access', 'v1', 'AccessLog']);

// The message types are generated from proto/ (npm run proto:types; CI checks
// they are current): the contract, not hand-written copies of it.
export type { RequestRecordRequest__Output as RequestRecordRequest } from './proto-types/xhub/exchange/v1/RequestRecordRequest.ts';
export type { RequestRecordResponse__Output as RequestRecordResponse } from './proto-types/xhub/exchange/v1/RequestRecordResponse.ts';
export type { BulkRequest__Output as BulkRequest } from './proto-types/xhub/exchange/v1/BulkRequest.ts';
export type { BulkJob__Output as BulkJob } from './proto-types/xhub/exchange/v1/BulkJob.ts';
export type { BulkSubject__Output as BulkSubject } from './proto-types/xhub/exchange/v1/BulkSubject.ts';
export type { BulkResponse as BulkResponse, BulkResponse__Output as BulkResponseOutput } from './proto-types/xhub/exchange/v1/BulkResponse.ts';
export type { BulkResult as BulkResult, BulkResult__Output as BulkResultOutput } from './proto-types/xhub/exchange/v1/BulkResult.ts';
