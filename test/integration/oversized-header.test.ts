import { randomBytes } from 'node:crypto';
import * as http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath } from 'grpc-health-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_HEADER_LIST_BYTES } from '../../broker/transport/header-limit.ts';
import { exchangeMessage } from '../../lib/exchange-client.ts';
import { exchangeService } from '../../lib/proto.ts';
import { HubFixture, SOMSRI } from '../helpers/hub-fixture.ts';

const healthDef = grpc.loadPackageDefinition(protoLoader.loadSync(protoPath, { enums: String })) as any;
const bearer = (bytes: number) => `Bearer ${randomBytes(bytes).toString('base64url').slice(0, bytes)}`;

/** RequestRecord with `authorization` as given; settles with the status code and how long it took. */
function requestWith(client: any, authorization: string): Promise<{ code: number; details: string; ms: number }> {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', authorization);
  const started = Date.now();
  const body = exchangeMessage({ subject: SOMSRI, recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY', clientRequestId: 'oversized' });
  return new Promise((resolve) =>
    client.RequestRecord(body, metadata, { deadline: Date.now() + 10_000 }, (e: grpc.ServiceError | null) => resolve({ code: e?.code ?? grpc.status.OK, details: e?.details ?? '', ms: Date.now() - started })),
  );
}

const check = (health: any): Promise<string> =>
  new Promise((resolve, reject) => health.Check({ service: '' }, { deadline: Date.now() + 5_000 }, (e: Error | null, r: any) => (e ? reject(e) : resolve(r.status))));

describe('an oversized authorization header gets a status at once, and harms no other connection', () => {
  let hub: HubFixture;
  beforeAll(async () => {
    hub = await HubFixture.start({ connectors: [] });
  });
  afterAll(() => hub?.stop());

  const clients = async () => {
    const credentials = await hub.credentials('FPO');
    const { Client } = exchangeService();
    // A connection of its own: grpc-js would otherwise share one between clients with equal credentials.
    const exchange = hub.track(new Client(hub.address, credentials, { 'grpc.use_local_subchannel_pool': 1 }) as any);
    // Same channel, same HTTP/2 connection: what a GOAWAY would take down with it.
    const health = hub.track(new healthDef.grpc.health.v1.Health(hub.address, credentials, { channelOverride: exchange.getChannel() }));
    return { exchange, health };
  };

  it('advertises SETTINGS_MAX_HEADER_LIST_SIZE, so grpc-go clients (grpcurl) refuse before sending', async () => {
    const transport = await hub.transport('FPO');
    if (transport.insecure) throw new Error('the fixture serves TLS');
    const session = http2.connect(`https://${hub.address}`, { ca: transport.caPem, cert: transport.certPem, key: transport.keyPem, servername: 'localhost' });
    try {
      const settings = await new Promise<http2.Settings>((resolve, reject) => {
        session.once('remoteSettings', resolve);
        session.once('error', reject);
      });
      expect(settings.maxHeaderListSize).toBe(MAX_HEADER_LIST_BYTES);
    } finally {
      session.close();
    }
  });

  it('a 60 KB token: RESOURCE_EXHAUSTED at once; a watch on the same connection lives on', async () => {
    const { exchange, health } = await clients();
    const watch = health.Watch({ service: '' });
    const watchErrors: Error[] = [];
    watch.on('error', (e: Error) => watchErrors.push(e));
    await new Promise((resolve) => watch.once('data', resolve));

    const answer = await requestWith(exchange, bearer(60_000));
    expect(answer.code, answer.details).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(answer.ms).toBeLessThan(2_000);
    expect(await check(health)).toBe('SERVING');
    expect(watchErrors).toEqual([]);
    watch.on('error', () => {});
    watch.cancel();
  });

  it('a token past the HPACK field limit ends only its own connection, with a status; the node serves on', async () => {
    const { exchange } = await clients();
    const bystander = await clients();
    const answer = await requestWith(exchange, bearer(130_000));
    // nghttp2 refuses the header block as a whole (COMPRESSION_ERROR) before Node's limit applies: grpc-js reports INTERNAL.
    expect(answer.code, answer.details).toBe(grpc.status.INTERNAL);
    expect(answer.ms).toBeLessThan(2_000);
    expect(await check(bystander.health)).toBe('SERVING');
    // The caller's next call reconnects and is answered (here: no valid token).
    expect((await requestWith(exchange, 'Bearer not-a-jwt')).code).toBe(grpc.status.UNAUTHENTICATED);
  });

  it('a token within the limit is read as before', async () => {
    const { exchange } = await clients();
    const answer = await requestWith(exchange, bearer(8_000));
    expect(answer.code, answer.details).toBe(grpc.status.UNAUTHENTICATED);
  });
});
