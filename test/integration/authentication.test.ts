import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAgencyKeyPair, importSigningKey, type SigningKey } from '../../lib/crypto/keys.ts';
import { signAgencyToken } from '../../lib/agency-token.ts';
import { exchangeMessage, type ExchangeCall, type ExchangeClient } from '../../lib/exchange-client.ts';
import { expectFailure } from '../helpers/grpc-error.ts';
import { HubFixture, SOMSRI } from '../helpers/hub-fixture.ts';

const request = () => ({ subject: SOMSRI, recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() });

/** A hand-made token for `body` (its req_sha256 as the client library computes it), with claims overridden. */
function token(key: SigningKey, claims: { iss?: string; aud?: string; iat?: number; exp?: number; jti?: string | null }, client: ExchangeClient, body: ExchangeCall): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ req_sha256: client.digestOf('RequestRecord', exchangeMessage(body)) })
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid })
    .setIssuer(claims.iss ?? 'FPO')
    .setAudience(claims.aud ?? 'node-1')
    .setIssuedAt(claims.iat ?? now)
    .setExpirationTime(claims.exp ?? now + 60);
  if (claims.jti !== null) jwt.setJti(claims.jti ?? randomUUID());
  return jwt.sign(key.key);
}

/** One exchange call whose token is made for its body. */
async function call(client: ExchangeClient, sign: (body: ExchangeCall) => Promise<string>) {
  const body = request();
  return client.requestRecord(body, { token: await sign(body) });
}

describe('agency authentication on every call', () => {
  let hub: HubFixture;
  let fpoKey: SigningKey;

  beforeAll(async () => {
    hub = await HubFixture.start({ connectors: ['DOPA'] });
    fpoKey = await hub.key('FPO');
  });
  afterAll(() => hub?.stop());

  it('accepts a fresh token signed by the agency key (the call reaches the provider)', async () => {
    const fpo = await hub.client('FPO');
    const response = await call(fpo, (body) => token(fpoKey, {}, fpo, body));
    expect(response.providerId).toBe('DOPA');
  });

  it('refuses a call with no token', async () => {
    const fpo = await hub.client('FPO');
    const { exchangeService } = await import('../../lib/proto.ts');
    const { Client } = exchangeService();
    const raw = new Client(hub.address, await hub.credentials('FPO')) as unknown as {
      RequestRecord: (r: object, cb: (e: Error | null) => void) => void;
      close: () => void;
    };
    const call = new Promise((resolve, reject) => raw.RequestRecord({ ...request(), fields: [] }, (e) => (e ? reject(e) : resolve(e))));
    expect(await expectFailure(call, status.UNAUTHENTICATED, 'ERR_AUTH_MISSING')).toMatch(/authorization/);
    raw.close();
    fpo.close();
  });

  it('refuses a token that is not a JWT', async () => {
    const fpo = await hub.client('FPO');
    await expectFailure(fpo.requestRecord(request(), { token: 'not.a.jwt' }), status.UNAUTHENTICATED, 'ERR_AUTH_MALFORMED');
  });

  it('refuses an unknown agency', async () => {
    const fpo = await hub.client('FPO');
    const details = await expectFailure(call(fpo, (body) => token(fpoKey, { iss: 'NSO' }, fpo, body)), status.UNAUTHENTICATED, 'ERR_AUTH_UNKNOWN_AGENCY');
    expect(details).toContain('NSO');
  });

  it('refuses a key id the agency has not registered', async () => {
    const fpo = await hub.client('FPO');
    const { privateJwk } = await generateAgencyKeyPair('FPO-rogue');
    const rogue = await importSigningKey(privateJwk, 'test');
    await expectFailure(call(fpo, (body) => token(rogue, {}, fpo, body)), status.UNAUTHENTICATED, 'ERR_AUTH_UNKNOWN_KEY');
  });

  it("refuses a bad signature: another agency's key under the agency's key id", async () => {
    const fpo = await hub.client('FPO');
    const rd = await hub.key('RD');
    await expectFailure(call(fpo, (body) => token({ kid: fpoKey.kid, key: rd.key }, {}, fpo, body)), status.UNAUTHENTICATED, 'ERR_AUTH_BAD_SIGNATURE');
  });

  it('refuses a token for another node (wrong audience)', async () => {
    const fpo = await hub.client('FPO');
    const details = await expectFailure(call(fpo, (body) => token(fpoKey, { aud: 'node-2' }, fpo, body)), status.UNAUTHENTICATED, 'ERR_AUTH_WRONG_AUDIENCE');
    expect(details).toContain('node-1');
  });

  it('refuses an expired token', async () => {
    const fpo = await hub.client('FPO');
    const now = Math.floor(Date.now() / 1000);
    await expectFailure(call(fpo, (body) => token(fpoKey, { iat: now - 200, exp: now - 100 }, fpo, body)), status.UNAUTHENTICATED, 'ERR_AUTH_EXPIRED');
  });

  it('refuses a token that lives longer than 5 minutes', async () => {
    const fpo = await hub.client('FPO');
    const now = Math.floor(Date.now() / 1000);
    await expectFailure(call(fpo, (body) => token(fpoKey, { iat: now, exp: now + 3600 }, fpo, body)), status.UNAUTHENTICATED, 'ERR_AUTH_LIFETIME_TOO_LONG');
  });

  it('refuses a token without a jti', async () => {
    const fpo = await hub.client('FPO');
    await expectFailure(call(fpo, (body) => token(fpoKey, { jti: null }, fpo, body)), status.UNAUTHENTICATED, 'ERR_AUTH_MALFORMED');
  });

  it('refuses a replayed token, even for the very request it was signed for', async () => {
    const fpo = await hub.client('FPO');
    const body = request();
    const once = await signAgencyToken('FPO', fpoKey, 'node-1', fpo.digestOf('RequestRecord', exchangeMessage(body)));
    await fpo.requestRecord(body, { token: once });
    const transfers = hub.backends.get('DOPA')!.total;
    // The same body again (a retry with its client request id): only the jti stops it.
    const details = await expectFailure(fpo.requestRecord(body, { token: once }), status.UNAUTHENTICATED, 'ERR_AUTH_REPLAYED');
    expect(details).toMatch(/already used/);
    expect(hub.backends.get('DOPA')!.total).toBe(transfers);
  });
});
