import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubFixture } from '../helpers/hub-fixture.ts';

const require = createRequire(import.meta.url);
const reflectionProto = join(dirname(require.resolve('@grpc/reflection')), '..', 'proto', 'grpc', 'reflection', 'v1alpha', 'reflection.proto');

describe('server reflection, as grpcurl uses it', () => {
  let hub: HubFixture;
  beforeAll(async () => {
    hub = await HubFixture.start({ connectors: [] });
  });
  afterAll(() => hub?.stop());

  it('lists the Exchange and health services over mutual TLS, without a token', async () => {
    const def = grpc.loadPackageDefinition(protoLoader.loadSync(reflectionProto, { keepCase: true })) as any;
    const client = new def.grpc.reflection.v1alpha.ServerReflection(hub.address, await hub.credentials('FPO'));
    const call = client.ServerReflectionInfo();
    const answer = await new Promise<any>((resolve, reject) => {
      call.on('data', resolve);
      call.on('error', reject);
      call.write({ list_services: '' });
    });
    call.end();
    client.close();
    const names = answer.list_services_response.service.map((s: { name: string }) => s.name);
    expect(names).toEqual(expect.arrayContaining(['xhub.exchange.v1.Exchange', 'grpc.health.v1.Health']));
  });
});
