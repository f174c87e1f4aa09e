import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { RestAuthConfig, RestBackendConfig } from '../../connectors/backends/backend.types.ts';
import { RestBackend } from '../../connectors/backends/http/rest-backend.ts';
import { isRetrySafe } from '../../connectors/backends/retry-safety.ts';
import type { HubError } from '../../lib/errors/hub-error.ts';
import { startAgencyApi, type AgencyApi } from '../helpers/oauth2-server.ts';

const PERSON = 'dopa.civil-registration.person';
const SOMCHAI = '1101700203451';
const RECORD = { firstNameTh: 'สมชาย', lastNameTh: 'ใจดี' };
// The second key is only reachable when the subject travels as one encoded path segment.
const RECORDS = { [`${PERSON}/${SOMCHAI}`]: RECORD, [`${PERSON}/../${SOMCHAI}`]: { firstNameTh: 'encoded' } };

async function open(api: AgencyApi, overrides: Partial<RestBackendConfig> = {}): Promise<RestBackend> {
  const backend = await RestBackend.open({
    type: 'http',
    urlTemplate: api.urlTemplate,
    timeoutMs: 5_000,
    tls: { caFile: api.files.caFile },
    ...overrides,
  });
  onTestFinished(() => backend.close());
  return backend;
}

function oauth2(api: AgencyApi, secretFile = api.files.clientSecretFile): RestAuthConfig {
  return {
    type: 'oauth2-client-credentials',
    tokenUrl: api.tokenUrl,
    clientId: api.clientId,
    clientSecretFile: secretFile,
    scope: 'person.read',
  };
}

async function failure(promise: Promise<unknown>): Promise<HubError> {
  return promise.then(
    () => expect.fail('expected the fetch to fail'),
    (error: unknown) => error as HubError,
  );
}

describe('REST backend behind OAuth2 client credentials', () => {
  let api: AgencyApi;
  beforeAll(async () => {
    api = await startAgencyApi({ auth: 'oauth2', records: RECORDS });
  });
  afterAll(() => api?.close());

  it('fetches one token for many calls, concurrent ones included', async () => {
    const backend = await open(api, { auth: oauth2(api) });
    const before = api.tokensIssued;
    const concurrent = await Promise.all(
      Array.from({ length: 20 }, () => backend.fetch(PERSON, SOMCHAI, 5_000)),
    );
    expect(concurrent).toEqual(Array.from({ length: 20 }, () => RECORD));
    for (let i = 0; i < 5; i += 1) expect(await backend.fetch(PERSON, SOMCHAI, 5_000)).toEqual(RECORD);
    expect(api.tokensIssued - before).toBe(1);
    expect(api.lastScope).toBe('person.read');
  });

  it('fetches a new token once the old one expires', async () => {
    // A server of its own: one-second tokens would make the other tests here depend on timing.
    const shortLived = await startAgencyApi({ auth: 'oauth2', records: RECORDS, tokenLifetimeS: 1 });
    onTestFinished(() => shortLived.close());
    const backend = await open(shortLived, { auth: oauth2(shortLived) });
    await backend.fetch(PERSON, SOMCHAI, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await backend.fetch(PERSON, SOMCHAI, 5_000)).toEqual(RECORD);
    expect(shortLived.tokensIssued).toBe(2);
  });

  it('refreshes a revoked token once and the call succeeds', async () => {
    const backend = await open(api, { auth: oauth2(api) });
    await backend.fetch(PERSON, SOMCHAI, 5_000);
    const tokens = api.tokensIssued;
    const requests = api.resourceRequests;
    api.revokeTokens();
    expect(await backend.fetch(PERSON, SOMCHAI, 5_000)).toEqual(RECORD);
    expect(api.tokensIssued - tokens).toBe(1);
    expect(api.resourceRequests - requests).toBe(2);
  });

  it('a wrong client secret → ERR_BACKEND_UNAVAILABLE naming the token endpoint, not the secret', async () => {
    const backend = await open(api, { auth: oauth2(api, api.files.wrongSecretFile) });
    const error = await failure(backend.fetch(PERSON, SOMCHAI, 5_000));
    expect(error.code).toBe('ERR_BACKEND_UNAVAILABLE');
    expect(error.message).toMatch(/token endpoint answered HTTP 401/);
    expect(error.message).not.toMatch(/not-the-secret|invalid_client|xhub-connector/);
    expect(error.message).not.toContain(api.clientSecret);
  });

  it('404 → undefined', async () => {
    const backend = await open(api, { auth: oauth2(api) });
    expect(await backend.fetch(PERSON, '3100600123459', 5_000)).toBeUndefined();
  });
});

describe('REST backend behind an API key', () => {
  let api: AgencyApi;
  beforeAll(async () => {
    api = await startAgencyApi({ auth: 'api-key', records: RECORDS });
  });
  afterAll(() => api?.close());

  it('sends the key from its file', async () => {
    const backend = await open(api, {
      auth: { type: 'api-key', header: 'X-Api-Key', keyFile: api.files.apiKeyFile },
    });
    expect(await backend.fetch(PERSON, SOMCHAI, 5_000)).toEqual(RECORD);
  });

  it('a wrong key → ERR_BACKEND_FAULT', async () => {
    const backend = await open(api, {
      auth: { type: 'api-key', header: 'X-Api-Key', keyFile: api.files.wrongApiKeyFile },
    });
    const error = await failure(backend.fetch(PERSON, SOMCHAI, 5_000));
    expect(error.code).toBe('ERR_BACKEND_FAULT');
    expect(error.message).toContain('HTTP 401');
    expect(error.message).not.toContain('not-the-key');
  });

  it('a missing key file stops start-up with ERR_CONFIG_INVALID naming the file', async () => {
    const keyFile = `${api.files.apiKeyFile}.absent`;
    await expect(
      RestBackend.open({
        type: 'http',
        urlTemplate: api.urlTemplate,
        timeoutMs: 1_000,
        auth: { type: 'api-key', header: 'X-Api-Key', keyFile },
      }),
    ).rejects.toMatchObject({
      code: 'ERR_CONFIG_INVALID',
      message: expect.stringContaining(keyFile),
    });
  });

  it('an empty client secret file stops start-up with ERR_CONFIG_INVALID naming the file', async () => {
    const secretFile = join(dirname(api.files.clientSecretFile), 'empty-secret');
    await writeFile(secretFile, '\n');
    await expect(open(api, { auth: oauth2(api, secretFile) })).rejects.toMatchObject({
      code: 'ERR_CONFIG_INVALID',
      message: expect.stringContaining(secretFile),
    });
  });
});

describe('REST backend behind mutual TLS', () => {
  let api: AgencyApi;
  beforeAll(async () => {
    api = await startAgencyApi({ auth: 'none', records: RECORDS, requireClientCert: true });
  });
  afterAll(() => api?.close());

  it('without a client certificate → ERR_BACKEND_UNAVAILABLE', async () => {
    const backend = await open(api);
    expect((await failure(backend.fetch(PERSON, SOMCHAI, 5_000))).code).toBe('ERR_BACKEND_UNAVAILABLE');
  });

  it('with the client certificate → the record', async () => {
    const backend = await open(api, {
      tls: { caFile: api.files.caFile, certFile: api.files.clientCertFile, keyFile: api.files.clientKeyFile },
    });
    expect(await backend.fetch(PERSON, SOMCHAI, 5_000)).toEqual(RECORD);
  });

  it('a server certificate from a CA the connector does not trust is refused', async () => {
    const backend = await open(api, {
      tls: { certFile: api.files.clientCertFile, keyFile: api.files.clientKeyFile },
    });
    const error = await failure(backend.fetch(PERSON, SOMCHAI, 5_000));
    expect(error.code).toBe('ERR_BACKEND_UNAVAILABLE');
    expect(error.message).toMatch(/TLS/);
  });

  it('a certificate without its key stops start-up', async () => {
    await expect(open(api, { tls: { certFile: api.files.clientCertFile } })).rejects.toMatchObject({
      code: 'ERR_CONFIG_INVALID',
    });
  });
});

describe('REST backend answers that are not a record', () => {
  let api: AgencyApi;
  beforeAll(async () => {
    api = await startAgencyApi({ auth: 'none', records: RECORDS });
  });
  afterAll(() => api?.close());

  it('a hanging backend → ERR_BACKEND_TIMEOUT within the deadline', async () => {
    api.mode = 'hang';
    onTestFinished(() => void (api.mode = 'normal'));
    const backend = await open(api);
    const error = await failure(backend.fetch(PERSON, SOMCHAI, 300));
    expect(error.code).toBe('ERR_BACKEND_TIMEOUT');
    expect(error.message).toContain('300 ms');
  });

  it('a body over the limit → ERR_BACKEND_RESPONSE_INVALID', async () => {
    api.mode = 'huge';
    onTestFinished(() => void (api.mode = 'normal'));
    const backend = await open(api, { maxResponseBytes: 64 * 1024 });
    expect((await failure(backend.fetch(PERSON, SOMCHAI, 5_000))).code).toBe('ERR_BACKEND_RESPONSE_INVALID');
  });

  it('malformed JSON → ERR_BACKEND_RESPONSE_INVALID without the body', async () => {
    api.mode = 'malformed';
    onTestFinished(() => void (api.mode = 'normal'));
    const backend = await open(api);
    const error = await failure(backend.fetch(PERSON, SOMCHAI, 5_000));
    expect(error.code).toBe('ERR_BACKEND_RESPONSE_INVALID');
    expect(error.message).toContain('not a JSON object');
    expect(error.message).not.toContain('Som');
  });

  it('503 → ERR_BACKEND_UNAVAILABLE marked retry-safe; 500 → not retry-safe', async () => {
    onTestFinished(() => void (api.mode = 'normal'));
    const backend = await open(api);
    api.mode = '503';
    const busy = await failure(backend.fetch(PERSON, SOMCHAI, 5_000));
    expect(busy.code).toBe('ERR_BACKEND_UNAVAILABLE');
    expect(isRetrySafe(busy)).toBe(true);
    api.mode = '500';
    const broken = await failure(backend.fetch(PERSON, SOMCHAI, 5_000));
    expect(broken.code).toBe('ERR_BACKEND_UNAVAILABLE');
    expect(isRetrySafe(broken)).toBe(false);
    expect(broken.message).not.toContain('db-01');
  });

  it('sends the subject as one encoded path segment, so it cannot walk the path', async () => {
    const backend = await open(api);
    expect(await backend.fetch(PERSON, `../${SOMCHAI}`, 5_000)).toEqual({ firstNameTh: 'encoded' });
  });
});
