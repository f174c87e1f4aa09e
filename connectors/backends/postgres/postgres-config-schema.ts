import { RESILIENCE_PROPERTIES } from '../resilience/resilience-config-schema.ts';

const file = { type: 'string', minLength: 1 } as const;

/**
 * JSON Schema (draft-07, ajv) of `PostgresBackendConfig`, one branch of the
 * connector config's `backend`. What a schema cannot say (loopback-only
 * `sslMode: disable`, the shape of each query, a superuser role) is checked by
 * `PostgresBackend.open`.
 */
export const postgresBackendSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'host', 'port', 'database', 'user', 'statementTimeoutMs', 'queries'],
  properties: {
    type: { const: 'postgres' },
    /** A host name, an IP address or, starting with `/`, a unix socket directory. */
    host: { type: 'string', minLength: 1, maxLength: 255 },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    // PostgreSQL truncates identifiers at 63 bytes.
    database: { type: 'string', minLength: 1, maxLength: 63 },
    user: { type: 'string', minLength: 1, maxLength: 63 },
    passwordFile: file,
    sslMode: { enum: ['disable', 'require'] },
    tls: {
      type: 'object',
      additionalProperties: false,
      properties: { caFile: file, certFile: file, keyFile: file },
      dependencies: { certFile: ['keyFile'], keyFile: ['certFile'] },
    },
    statementTimeoutMs: { type: 'integer', minimum: 1, maximum: 120_000 },
    poolSize: { type: 'integer', minimum: 1, maximum: 100 },
    queries: {
      type: 'object',
      minProperties: 1,
      // Record type ids, as policies/schemas/common.schema.json writes them.
      propertyNames: { pattern: '^[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*){1,4}$' },
      additionalProperties: { type: 'string', minLength: 1, maxLength: 20_000 },
    },
    ...RESILIENCE_PROPERTIES,
  },
} as const;
