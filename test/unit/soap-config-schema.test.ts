import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { soapBackendSchema } from '../../connectors/backends/soap/soap-config-schema.ts';

const validate = new Ajv({ allErrors: true, discriminator: true }).compile(soapBackendSchema);
const OPERATION = {
  soapAction: 'http://linkage.dopa.go.th/GetPersonInfo',
  requestTemplate: '<Envelope><Body><GetPersonInfo><PID>{subject}</PID></GetPersonInfo></Body></Envelope>',
  recordPath: 'Envelope/Body/GetPersonInfoResponse/Person',
  fields: { firstNameTh: 'FirstName', citizenId: '@pid' },
};
const BASE = {
  type: 'soap',
  url: 'https://linkage.dopa.internal/PersonService.asmx',
  timeoutMs: 3000,
  operations: { 'dopa.civil-registration.person': OPERATION },
};

describe('soapBackendSchema', () => {
  it.each([
    ['the minimum', BASE],
    [
      'an operation without soapAction',
      { ...BASE, operations: { p: { ...OPERATION, soapAction: undefined } } },
    ],
    [
      'mutual TLS, OAuth2 and every resilience key',
      {
        ...BASE,
        tls: { caFile: '/ca.pem', certFile: '/c.pem', keyFile: '/c.key' },
        auth: {
          type: 'oauth2-client-credentials',
          tokenUrl: 'https://idp.internal/token',
          clientId: 'xhub',
          clientSecretFile: '/s',
        },
        maxResponseBytes: 1024,
        maxConcurrency: 8,
        retries: 2,
        retryBackoffMs: 50,
        breakerFailureThreshold: 5,
        breakerResetMs: 1000,
      },
    ],
  ])('accepts %s', (_name, config) => {
    expect(validate(JSON.parse(JSON.stringify(config))), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each([
    ['an unknown key', { ...BASE, urlTemplate: 'x' }, ''],
    ['a URL that is not http(s)', { ...BASE, url: 'ftp://linkage/' }, '/url'],
    ['no operations', { ...BASE, operations: {} }, '/operations'],
    [
      'a template without {subject}',
      { ...BASE, operations: { p: { ...OPERATION, requestTemplate: '<a/>' } } },
      '/operations/p/requestTemplate',
    ],
    [
      'an unknown operation key',
      { ...BASE, operations: { p: { ...OPERATION, xpath: 'x' } } },
      '/operations/p',
    ],
    [
      'a quote in soapAction',
      { ...BASE, operations: { p: { ...OPERATION, soapAction: 'a"b' } } },
      '/operations/p/soapAction',
    ],
    ['no fields', { ...BASE, operations: { p: { ...OPERATION, fields: {} } } }, '/operations/p/fields'],
    ['retries above 5', { ...BASE, retries: 6 }, '/retries'],
    ['a body limit under 1 KiB', { ...BASE, maxResponseBytes: 1000 }, '/maxResponseBytes'],
    [
      'an API key over plain http to a remote host',
      { ...BASE, url: 'http://linkage.example/', auth: { type: 'api-key', header: 'X-Key', keyFile: '/k' } },
      '/url',
    ],
  ])('refuses %s', (_name, config, where) => {
    expect(validate(config)).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toContain(where);
  });
});
