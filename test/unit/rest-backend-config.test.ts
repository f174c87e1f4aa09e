import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { restBackendSchema } from '../../connectors/backends/http/http-config-schema.ts';
import { recordFrom } from '../../connectors/backends/http/rest-backend.ts';
import { isRetrySafe } from '../../connectors/backends/retry-safety.ts';
import type { HubError } from '../../lib/errors/hub-error.ts';

const validate = new Ajv({ allErrors: true, discriminator: true }).compile(restBackendSchema);
const BASE = {
  type: 'http',
  urlTemplate: 'https://registry.internal/api/{recordType}/{subject}',
  timeoutMs: 2000,
};
const OAUTH2 = {
  type: 'oauth2-client-credentials',
  clientId: 'xhub',
  clientSecretFile: '/run/secrets/client',
};

describe('restBackendSchema', () => {
  it.each([
    ['the minimum', BASE],
    [
      'OAuth2 with a scope and every resilience key',
      {
        ...BASE,
        auth: { ...OAUTH2, tokenUrl: 'https://idp.internal/token', scope: 'person.read' },
        retries: 2,
        maxConcurrency: 8,
        retryBackoffMs: 50,
        breakerFailureThreshold: 5,
        breakerResetMs: 1000,
        maxResponseBytes: 1024,
      },
    ],
    [
      'a plain-http token URL on loopback (tests, a local TLS proxy)',
      { ...BASE, auth: { ...OAUTH2, tokenUrl: 'http://127.0.0.1:8080/token' } },
    ],
    ['plain http without credentials', { ...BASE, urlTemplate: 'http://registry.internal/{subject}' }],
    [
      'an API key to loopback over http',
      {
        ...BASE,
        urlTemplate: 'http://localhost:8080/{subject}',
        auth: { type: 'api-key', header: 'X-Api-Key', keyFile: '/k' },
      },
    ],
    ['mutual TLS', { ...BASE, tls: { caFile: '/ca.pem', certFile: '/c.pem', keyFile: '/c.key' } }],
  ])('accepts %s', (_name, config) => {
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each([
    [
      'a template without {subject}',
      { ...BASE, urlTemplate: 'https://registry.internal/api/{recordType}' },
      '/urlTemplate',
    ],
    [
      'a token URL in clear text off this host',
      { ...BASE, auth: { ...OAUTH2, tokenUrl: 'http://idp.internal/token' } },
      '/auth/tokenUrl',
    ],
    [
      'a loopback look-alike',
      { ...BASE, auth: { ...OAUTH2, tokenUrl: 'http://localhost.evil.example/token' } },
      '/auth/tokenUrl',
    ],
    [
      'an API key over clear text',
      {
        ...BASE,
        urlTemplate: 'http://registry.internal/{subject}',
        auth: { type: 'api-key', header: 'X-Api-Key', keyFile: '/k' },
      },
      '/urlTemplate',
    ],
    [
      'a client secret written in config',
      { ...BASE, auth: { ...OAUTH2, tokenUrl: 'https://idp/token', clientSecret: 'x' } },
      '/auth',
    ],
    ['a certificate without its key', { ...BASE, tls: { certFile: '/c.pem' } }, '/tls'],
    [
      'a header value with a line break',
      { ...BASE, headers: { 'X-Agency': 'DOPA\r\nX-Evil: 1' } },
      '/headers/X-Agency',
    ],
    ['too many retries', { ...BASE, retries: 6 }, '/retries'],
    ['a tiny body limit', { ...BASE, maxResponseBytes: 10 }, '/maxResponseBytes'],
    ['an unknown key', { ...BASE, proxy: 'http://proxy' }, ''],
  ])('refuses %s', (_name, config, path) => {
    expect(validate(config)).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toContain(path);
  });
});

describe('what a REST answer means', () => {
  const answer = (status: number, text = '') => ({ status, headers: new Headers(), text });
  const thrown = (status: number, text = ''): HubError => {
    try {
      recordFrom(answer(status, text));
    } catch (error) {
      return error as HubError;
    }
    return expect.fail(`HTTP ${status} did not throw`);
  };

  it('200 with an object → the record; 404 → no record', () => {
    expect(recordFrom(answer(200, '{"a":1}'))).toEqual({ a: 1 });
    expect(recordFrom(answer(404, 'not here'))).toBeUndefined();
  });

  it.each([
    [200, '[{"a":1}]', 'ERR_BACKEND_RESPONSE_INVALID', false],
    [200, '{"a":', 'ERR_BACKEND_RESPONSE_INVALID', false],
    [204, '', 'ERR_BACKEND_RESPONSE_INVALID', false],
    [302, '', 'ERR_BACKEND_RESPONSE_INVALID', false],
    [400, '', 'ERR_BACKEND_FAULT', false],
    [401, '', 'ERR_BACKEND_FAULT', false],
    [403, '', 'ERR_BACKEND_FAULT', false],
    [500, '', 'ERR_BACKEND_UNAVAILABLE', false],
    [502, '', 'ERR_BACKEND_UNAVAILABLE', true],
    [503, '', 'ERR_BACKEND_UNAVAILABLE', true],
    [504, '', 'ERR_BACKEND_UNAVAILABLE', true],
  ])('HTTP %i %j → %s (retry-safe: %s)', (status, text, code, safe) => {
    const error = thrown(status, text);
    expect(error.code).toBe(code);
    expect(isRetrySafe(error)).toBe(safe);
  });

  it('names refused credentials as such', () => {
    expect(thrown(401).message).toBe("agency backend refused the connector's credentials (HTTP 401)");
  });
});
