import { RESILIENCE_PROPERTIES } from '../resilience/resilience-config-schema.ts';
/**
 * JSON Schema fragments (ajv) for backends spoken to over HTTP(S): TLS,
 * authentication and the REST backend itself. The SOAP backend reuses the
 * first two. Deeper checks (files readable, certificate with key) run when the
 * HTTP client is created.
 */

// Credentials go over TLS; plain http only to this host, for tests and a
// sidecar proxy that adds TLS itself.
const HTTPS_OR_LOOPBACK =
  '^(https://[^/?#\\s]+|http://(localhost|127(\\.[0-9]{1,3}){3}|\\[::1\\])(:[0-9]{1,5})?([/?#]|$))';
// RFC 9110 s.5.1 field-name (token).
const HEADER_NAME = "^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$";
// RFC 9110 s.5.5 field-value, without CR or LF.
const HEADER_VALUE = '^[\\t\\x20-\\x7e\\x80-\\xff]{0,8192}$';
// RFC 6749 s.3.3 scope: space-separated scope-tokens.
const SCOPE = '^[\\x21\\x23-\\x5b\\x5d-\\x7e]+( [\\x21\\x23-\\x5b\\x5d-\\x7e]+)*$';

const filePath = { type: 'string', minLength: 1, maxLength: 4096 } as const;

/** `BackendTlsConfig`. */
export const backendTlsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { caFile: filePath, certFile: filePath, keyFile: filePath },
  dependencies: { certFile: ['keyFile'], keyFile: ['certFile'] },
} as const;

/** `RestAuthConfig`: one branch per kind; secrets are named by file, never written in config. */
export const restAuthSchema = {
  type: 'object',
  required: ['type'],
  discriminator: { propertyName: 'type' },
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['type'],
      properties: { type: { const: 'none' } },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'header', 'keyFile'],
      properties: {
        type: { const: 'api-key' },
        header: { type: 'string', pattern: HEADER_NAME },
        keyFile: filePath,
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'tokenUrl', 'clientId', 'clientSecretFile'],
      properties: {
        type: { const: 'oauth2-client-credentials' },
        tokenUrl: { type: 'string', maxLength: 2048, pattern: HTTPS_OR_LOOPBACK },
        clientId: { type: 'string', minLength: 1, maxLength: 256 },
        clientSecretFile: filePath,
        scope: { type: 'string', maxLength: 1024, pattern: SCOPE },
      },
    },
  ],
} as const;

/**
 * With credentials configured, `urlKey` must be https (or loopback): an API
 * key or a bearer token in clear text is as good as published.
 */
export function credentialsNeedHttps(urlKey: string) {
  return {
    if: {
      type: 'object',
      required: ['auth'],
      properties: {
        auth: { type: 'object', properties: { type: { enum: ['api-key', 'oauth2-client-credentials'] } } },
      },
    },
    then: { type: 'object', properties: { [urlKey]: { type: 'string', pattern: HTTPS_OR_LOOPBACK } } },
  } as const;
}

/** The `backend` of a connector config when `type` is `http`: `RestBackendConfig`. */
export const restBackendSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'urlTemplate', 'timeoutMs'],
  properties: {
    type: { const: 'http' },
    urlTemplate: { type: 'string', maxLength: 2048, pattern: '^https?://[^/?#\\s]+.*\\{subject\\}' },
    timeoutMs: { type: 'integer', minimum: 1, maximum: 120_000 },
    headers: {
      type: 'object',
      propertyNames: { pattern: HEADER_NAME },
      additionalProperties: { type: 'string', pattern: HEADER_VALUE },
    },
    auth: restAuthSchema,
    tls: backendTlsSchema,
    maxResponseBytes: { type: 'integer', minimum: 1024, maximum: 67_108_864 },
    ...RESILIENCE_PROPERTIES,
  },
  allOf: [credentialsNeedHttps('urlTemplate')],
} as const;
