import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as grpc from '@grpc/grpc-js';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditClient } from '../../lib/audit-client.ts';
import type { SigningKey } from '../../lib/crypto/keys.ts';
import { ExchangeClient, exchangeMessage, type ExchangeCall } from '../../lib/exchange-client.ts';
import { exchangeService } from '../../lib/proto.ts';
import { loadCertificateAuthority } from '../../lib/tls/certificates.ts';
import { expectFailure } from '../helpers/grpc-error.ts';
import { HubFixture, SOMSRI } from '../helpers/hub-fixture.ts';

const PERSON = 'dopa.civil-registration.person';
const request = (): ExchangeCall => ({ subject: SOMSRI, recordType: PERSON, purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() });

/** A token made by hand for FPO, covering `body` unless the claims say otherwise. */
function handToken(key: SigningKey, client: ExchangeClient, body: ExchangeCall, claims: { aud?: string | string[]; iat?: number; exp?: number; req?: string | null } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const req = claims.req === undefined ? client.digestOf('RequestRecord', exchangeMessage(body)) : claims.req;
  return new SignJWT(req === null ? {} : { req_sha256: req })
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid })
    .setIssuer('FPO')
    .setSubject('FPO')
    .setAudience(claims.aud ?? 'node-1')
    .setIssuedAt(claims.iat ?? now)
    .setExpirationTime(claims.exp ?? now + 60)
    .setJti(randomUUID())
    .sign(key.key);
}

/** A raw call with channel credentials of our choosing and no token: what an outsider can send. */
function rawCall(address: string, credentials: grpc.ChannelCredentials): Promise<unknown> {
  const { Client } = exchangeService();
  const client = new Client(address, credentials) as unknown as { RequestRecord: (r: object, o: grpc.CallOptions, cb: (e: Error | null) => void) => void; close(): void };
  return new Promise((resolve, reject) =>
    client.RequestRecord(exchangeMessage(request()), { deadline: Date.now() + 5_000 }, (e) => {
      client.close();
      if (e) reject(e);
      else resolve(undefined);
    }),
  );
}

const securityEvents = async (hub: HubFixture, labels: { event: string; code: string }) => {
  const metric = (await hub.node.metrics.getMetricsAsJSON()).find((m) => m.name === 'xhub_security_events_total');
  return metric?.values.find((v) => v.labels.event === labels.event && v.labels.code === labels.code)?.value ?? 0;
};

describe('gRPC security: TLS, certificates bound to agencies, tokens bound to requests, visible refusals', () => {
  let hub: HubFixture;
  let fpoKey: SigningKey;
  let fpo: ExchangeClient;

  beforeAll(async () => {
    hub = await HubFixture.start({ connectors: ['DOPA'] });
    fpoKey = await hub.key('FPO');
    fpo = await hub.client('FPO');
  });
  afterAll(() => hub?.stop());

  const transfers = () => hub.backends.get('DOPA')!.total;

  it('refuses plaintext gRPC, and TLS without a client certificate, before any handler runs', async () => {
    const before = transfers();
    const plaintext = (await rawCall(hub.address, grpc.credentials.createInsecure()).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(plaintext.code).toBe(grpc.status.UNAVAILABLE);
    const caPem = await readFile(hub.demo.tls.caFile);
    const noCert = (await rawCall(hub.address, grpc.credentials.createSsl(caPem)).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(noCert.code).toBe(grpc.status.UNAVAILABLE);
    // Nothing got as far as authentication, let alone the provider.
    expect(plaintext.metadata?.get('xhub-error-code') ?? []).toEqual([]);
    expect(transfers()).toBe(before);
  });

  it("refuses agency B's token over agency A's client certificate, while A's own token works", async () => {
    const bmaOverFpoCert = hub.track(new ExchangeClient(hub.address, 'BMA', await hub.key('BMA'), 'node-1', await hub.transport('FPO')));
    await expectFailure(bmaOverFpoCert.requestRecord({ ...request(), recordType: 'fpo.welfare-card.status', purpose: 'LOCAL_SERVICE_REGISTRATION', subject: '3100500123458' }), grpc.status.UNAUTHENTICATED, 'ERR_AUTH_CERT_MISMATCH');
    expect((await fpo.requestRecord(request())).providerId).toBe('DOPA');
  });

  it('refuses a certificate from the right CA that is bound to no agency', async () => {
    const ca = await loadCertificateAuthority(await readFile(hub.demo.tls.caFile, 'utf8'), await readFile(`${hub.demo.tls.dir}/ca.key`, 'utf8'));
    const stray = await ca.issue({ commonName: 'FPO', usage: 'client' });
    const caPem = await readFile(hub.demo.tls.caFile, 'utf8');
    const client = hub.track(new ExchangeClient(hub.address, 'FPO', fpoKey, 'node-1', { caPem, certPem: stray.certPem, keyPem: stray.keyPem }));
    await expectFailure(client.requestRecord(request()), grpc.status.UNAUTHENTICATED, 'ERR_AUTH_CERT_MISMATCH');
  });

  it('refuses to start a node with insecure on 0.0.0.0, or with no TLS at all', async () => {
    await expect(hub.startNode({ nodeId: 'node-3', listen: '0.0.0.0:0', tls: undefined, insecure: true })).rejects.toMatchObject({ code: 'ERR_CONFIG_INVALID', message: expect.stringMatching(/loopback/) });
    await expect(hub.startNode({ nodeId: 'node-3', tls: undefined })).rejects.toMatchObject({ code: 'ERR_CONFIG_INVALID', message: expect.stringMatching(/TLS is required/) });
  });

  it('refuses a token captured for one request body and sent with another', async () => {
    const x = request();
    const tokenForX = await handToken(fpoKey, fpo, x);
    const before = transfers();
    const y = { ...x, subject: '3100500123458' };
    await expectFailure(fpo.requestRecord(y, { token: tokenForX }), grpc.status.UNAUTHENTICATED, 'ERR_AUTH_REQUEST_MISMATCH');
    await expectFailure(fpo.requestRecord(request(), { token: await handToken(fpoKey, fpo, x, { req: null }) }), grpc.status.UNAUTHENTICATED, 'ERR_AUTH_REQUEST_MISMATCH');
    expect(transfers()).toBe(before);
    // The token was never spent on Y: it still carries X.
    expect((await fpo.requestRecord(x, { token: tokenForX })).providerId).toBe('DOPA');
  });

  it('refuses a token naming several nodes as its audience', async () => {
    const body = request();
    await expectFailure(fpo.requestRecord(body, { token: await handToken(fpoKey, fpo, body, { aud: ['node-1', 'node-2'] }) }), grpc.status.UNAUTHENTICATED, 'ERR_AUTH_WRONG_AUDIENCE');
  });

  it('refuses a token that expires before it was issued', async () => {
    const body = request();
    const now = Math.floor(Date.now() / 1000);
    await expectFailure(fpo.requestRecord(body, { token: await handToken(fpoKey, fpo, body, { iat: now + 20, exp: now + 10 }) }), grpc.status.UNAUTHENTICATED, 'ERR_AUTH_MALFORMED');
  });

  it('logs and counts a failed authentication, without the token', async () => {
    const before = await securityEvents(hub, { event: 'auth_failure', code: 'ERR_AUTH_REQUEST_MISMATCH' });
    const token = await handToken(fpoKey, fpo, request());
    await expectFailure(fpo.requestRecord(request(), { token }), grpc.status.UNAUTHENTICATED, 'ERR_AUTH_REQUEST_MISMATCH');
    expect(await securityEvents(hub, { event: 'auth_failure', code: 'ERR_AUTH_REQUEST_MISMATCH' })).toBe(before + 1);
    const line = hub.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'call refused').at(-1);
    expect(line).toMatchObject({ level: 40, event: 'auth_failure', code: 'ERR_AUTH_REQUEST_MISMATCH', method: 'Exchange/RequestRecord', peer: expect.any(String) });
    expect(hub.logs.join('')).not.toContain(token.split('.')[2]);
  });

  it('leaves a log line, a counter increment and an audit entry when a non-auditor calls Audit', async () => {
    const before = await securityEvents(hub, { event: 'role_denied', code: 'ERR_ROLE_REQUIRED' });
    const intruder = hub.track(new AuditClient(hub.address, 'FPO', fpoKey, 'node-1', await hub.transport('FPO')));
    await expectFailure(intruder.call('Query', {}), grpc.status.PERMISSION_DENIED, 'ERR_ROLE_REQUIRED');

    expect(await securityEvents(hub, { event: 'role_denied', code: 'ERR_ROLE_REQUIRED' })).toBe(before + 1);
    const lines = hub.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'call refused', level: 40, event: 'role_denied', code: 'ERR_ROLE_REQUIRED', method: 'Audit/Query', agency: 'FPO' }));
    const pdpc = await hub.auditClient('PDPC');
    await expect
      .poll(async () => {
        const page = await pdpc.call<{ entries: { entryJson: string }[] }>('Query', { kind: 'access-denied' });
        return page.entries.map((e) => JSON.parse(e.entryJson) as Record<string, unknown>);
      }, { timeout: 10_000 })
      .toContainEqual(expect.objectContaining({ kind: 'access-denied', actor: 'FPO', decision: 'deny', reason: 'ERR_ROLE_REQUIRED', detail: 'Audit/Query' }));
  });
});
