import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor/index.js';
import type { IDescriptorProto, IFileDescriptorProto } from 'protobufjs/ext/descriptor/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestDigest, signAgencyToken } from '../../lib/agency-token.ts';
import { HubFixture, SOMSRI } from '../helpers/hub-fixture.ts';

const require = createRequire(import.meta.url);
const reflectionProto = join(dirname(require.resolve('@grpc/reflection')), '..', 'proto', 'grpc', 'reflection', 'v1', 'reflection.proto');

const HUB_SERVICES = ['xhub.exchange.v1.Exchange', 'xhub.consent.v1.Consent', 'xhub.audit.v1.Audit', 'grpc.health.v1.Health'];

/**
 * A client that knows only the reflection protocol, as grpcurl does: it lists
 * services, fetches file descriptors (with their imports) and builds its
 * message types from them alone, never from a local copy of the .proto files.
 */
class ReflectionOnlyClient {
  private readonly stub: any;
  private readonly files = new Map<string, IFileDescriptorProto>();

  constructor(address: string, credentials: grpc.ChannelCredentials) {
    const def = grpc.loadPackageDefinition(protoLoader.loadSync(reflectionProto, { keepCase: true })) as any;
    this.stub = new def.grpc.reflection.v1.ServerReflection(address, credentials);
  }

  /** One request on a fresh reflection stream; a reflection error answer fails the call. */
  private async ask(request: object): Promise<any> {
    const call = this.stub.ServerReflectionInfo();
    const answer = await new Promise<any>((resolve, reject) => {
      call.on('data', resolve);
      call.on('error', reject);
      call.write(request);
    });
    call.end();
    if (answer.error_response) throw new Error(`reflection: ${answer.error_response.error_message}`);
    return answer;
  }

  async listServices(): Promise<string[]> {
    return (await this.ask({ list_services: '*' })).list_services_response.service.map((s: { name: string }) => s.name);
  }

  /** The file declaring `symbol`, and every file it imports, decoded as grpcurl would. */
  async fileContainingSymbol(symbol: string): Promise<IFileDescriptorProto> {
    const answer = await this.ask({ file_containing_symbol: symbol });
    const decoded = (answer.file_descriptor_response.file_descriptor_proto as Buffer[]).map((b) => descriptor.FileDescriptorProto.decode(b) as unknown as IFileDescriptorProto);
    for (const f of decoded) this.files.set(f.name!, f);
    for (const f of decoded) await this.withImports(f);
    return decoded[0]!;
  }

  private async withImports(file: IFileDescriptorProto): Promise<void> {
    for (const dep of (file.dependency as string[] | undefined) ?? []) {
      if (this.files.has(dep)) continue;
      const answer = await this.ask({ file_by_filename: dep });
      const f = descriptor.FileDescriptorProto.decode(answer.file_descriptor_response.file_descriptor_proto[0]) as unknown as IFileDescriptorProto;
      this.files.set(dep, f);
      await this.withImports(f);
    }
  }

  /** A protobufjs root built from the descriptors fetched so far. */
  root(): protobuf.Root {
    return (protobuf.Root as unknown as { fromDescriptor(set: object): protobuf.Root }).fromDescriptor({ file: [...this.files.values()] });
  }

  close(): void {
    this.stub.close();
  }
}

const message = (file: IFileDescriptorProto, name: string): IDescriptorProto => {
  const found = file.messageType?.find((m) => m.name === name);
  if (!found) throw new Error(`no message ${name} in ${file.name}`);
  return found;
};
const commentAt = (file: IFileDescriptorProto, path: number[]): string | undefined =>
  (file.sourceCodeInfo?.location as { path: number[]; leadingComments?: string }[] | undefined)?.find((l) => l.path.join('.') === path.join('.'))?.leadingComments;

/** Serialises a message from a JSON body written with the .proto's own field names. */
const encodeJson = (type: protobuf.Type, body: object): Buffer => {
  const invalid = type.verify(body);
  if (invalid) throw new Error(invalid);
  return Buffer.from(type.encode(type.fromObject(body)).finish());
};

describe('server reflection, as grpcurl uses it', () => {
  let hub: HubFixture;
  let reflection: ReflectionOnlyClient;
  let files: Map<string, IFileDescriptorProto>;
  beforeAll(async () => {
    hub = await HubFixture.start({ connectors: ['DOPA'] });
    reflection = new ReflectionOnlyClient(hub.address, await hub.credentials('FPO'));
    files = new Map();
    for (const s of HUB_SERVICES) files.set(s, await reflection.fileContainingSymbol(s));
  });
  afterAll(async () => {
    reflection?.close();
    await hub?.stop();
  });

  it('lists the Exchange, Consent, Audit and health services over mutual TLS, without a token', async () => {
    expect(await reflection.listServices()).toEqual(expect.arrayContaining(HUB_SERVICES));
  });

  it('serves each file under its own path, with the field names of the .proto', () => {
    const exchange = files.get('xhub.exchange.v1.Exchange')!;
    expect(exchange.name).toBe('xhub/exchange/v1/exchange.proto');
    expect(message(exchange, 'RequestRecordRequest').field?.map((f) => f.name)).toEqual(expect.arrayContaining(['record_type', 'client_request_id', 'consent_id']));
    expect(message(files.get('xhub.audit.v1.Audit')!, 'QueryRequest').field?.map((f) => f.name)).toEqual(expect.arrayContaining(['record_type', 'page_size']));
    expect(message(files.get('xhub.consent.v1.Consent')!, 'ConsentItem').field?.map((f) => f.name)).toContain('record_type');
  });

  it('carries the comments of the .proto, for describe', () => {
    const exchange = files.get('xhub.exchange.v1.Exchange')!;
    // service 0, method 0; message 0, field 1 (record_type)
    expect(commentAt(exchange, [6, 0, 2, 0])).toMatch(/^ Asks the provider of `record_type`/);
    expect(commentAt(exchange, [4, 0, 2, 1])).toMatch(/record type id from the registry/);
    expect(commentAt(files.get('grpc.health.v1.Health')!, [6, 0, 2, 0])).toMatch(/Check gets the health/);
  });

  it('names the health map entry as protoc does, so Check and Watch resolve', async () => {
    const health = files.get('grpc.health.v1.Health')!;
    const list = message(health, 'HealthListResponse');
    expect(list.nestedType?.map((n) => n.name)).toEqual(['StatusesEntry']);
    expect(list.field?.[0]?.typeName).toBe('.grpc.health.v1.HealthListResponse.StatusesEntry');
    for (const method of ['Check', 'Watch']) expect((await reflection.fileContainingSymbol(`grpc.health.v1.Health.${method}`)).name).toBe('grpc/health/v1/health.proto');
  });

  it('calls Health/Check and Watch with messages built from reflection alone', async () => {
    const root = reflection.root();
    const request = root.lookupType('grpc.health.v1.HealthCheckRequest');
    const response = root.lookupType('grpc.health.v1.HealthCheckResponse');
    const client = hub.track(new grpc.Client(hub.address, await hub.credentials('FPO')));
    const decode = (b: Buffer) => response.toObject(response.decode(b), { enums: String });
    const checked = await new Promise<any>((resolve, reject) =>
      client.makeUnaryRequest('/grpc.health.v1.Health/Check', (b: Buffer) => b, decode, encodeJson(request, { service: 'xhub.exchange.v1.Exchange' }), (e, r) => (e ? reject(e) : resolve(r))),
    );
    expect(checked).toEqual({ status: 'SERVING' });
    const watch = client.makeServerStreamRequest('/grpc.health.v1.Health/Watch', (b: Buffer) => b, decode, encodeJson(request, { service: '' }));
    const first = await new Promise<any>((resolve, reject) => {
      watch.once('data', resolve);
      watch.once('error', reject);
    });
    watch.on('error', () => {}); // the cancel below ends the stream with CANCELLED
    watch.cancel();
    expect(first).toEqual({ status: 'SERVING' });
  });

  it('calls Exchange/RequestRecord from a JSON body with proto names, its token covering the exact bytes sent', async () => {
    const root = reflection.root();
    const request = root.lookupType('xhub.exchange.v1.RequestRecordRequest');
    const response = root.lookupType('xhub.exchange.v1.RequestRecordResponse');
    const body = { subject: SOMSRI, record_type: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY', client_request_id: randomUUID() };
    const bytes = encodeJson(request, body);
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${await signAgencyToken('FPO', await hub.key('FPO'), 'node-1', requestDigest(bytes))}`);
    const client = hub.track(new grpc.Client(hub.address, await hub.credentials('FPO')));
    const answer = await new Promise<any>((resolve, reject) =>
      client.makeUnaryRequest(
        '/xhub.exchange.v1.Exchange/RequestRecord',
        (b: Buffer) => b,
        (b: Buffer) => response.toObject(response.decode(b)),
        bytes,
        metadata,
        { deadline: Date.now() + 15_000 },
        (e, r) => (e ? reject(e) : resolve(r)),
      ),
    );
    expect(answer).toMatchObject({ provider_id: 'DOPA', exchange_id: expect.any(String), record_json: expect.stringContaining('{') });
  });
});
