import { backendTlsSchema, credentialsNeedHttps, restAuthSchema } from '../http/http-config-schema.ts';
import { RESILIENCE_PROPERTIES } from '../resilience/resilience-config-schema.ts';

/** One record type's operation; see `SoapOperationConfig`. Deeper checks (well-formed template, paths) run at open. */
const soapOperationSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['requestTemplate', 'recordPath', 'fields'],
  properties: {
    soapAction: { type: 'string', maxLength: 1024, pattern: '^[!#-\\[\\]-~]*$' },
    requestTemplate: { type: 'string', minLength: 1, maxLength: 65536, pattern: '\\{subject\\}' },
    recordPath: { type: 'string', minLength: 1, maxLength: 1024 },
    fields: {
      type: 'object',
      minProperties: 1,
      additionalProperties: { type: 'string', minLength: 1, maxLength: 1024 },
    },
  },
} as const;

/** The `backend` of a connector config when `type` is `soap`: `SoapBackendConfig`. */
export const soapBackendSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'url', 'timeoutMs', 'operations'],
  properties: {
    type: { const: 'soap' },
    url: { type: 'string', maxLength: 2048, pattern: '^https?://[^/?#\\s]+' },
    timeoutMs: { type: 'integer', minimum: 1, maximum: 120_000 },
    auth: restAuthSchema,
    tls: backendTlsSchema,
    maxResponseBytes: { type: 'integer', minimum: 1024, maximum: 67_108_864 },
    ...RESILIENCE_PROPERTIES,
    operations: { type: 'object', minProperties: 1, additionalProperties: soapOperationSchema },
  },
  // An API key or a bearer token over plain http is as good as published.
  allOf: [credentialsNeedHttps('url')],
} as const;
