import type { JSONSchemaType } from 'ajv';
import { loadConfig } from '../lib/config/load-config.ts';
import { KAFKA_SECURITY_ENV, KAFKA_SECURITY_PROPERTIES, type KafkaConnectionSettings } from '../lib/kafka/connection.ts';
import { ADMIN_LISTEN_ENV, ADMIN_LISTEN_PROPERTIES, checkAdminListen, type AdminListenSettings } from '../lib/metrics/admin-listen.ts';
import type { BackendConfig } from './backends/backend.types.ts';
import { restBackendSchema } from './backends/http/http-config-schema.ts';
import { postgresBackendSchema } from './backends/postgres/postgres-config-schema.ts';
import { soapBackendSchema } from './backends/soap/soap-config-schema.ts';
import { mappingsConfigSchema } from './mapping/mapping-config-schema.ts';
import type { MappingsConfig } from './mapping/mapping.types.ts';

export interface ConnectorConfig extends KafkaConnectionSettings, AdminListenSettings {
  /** The provider agency this connector serves. */
  agencyId: string;
  /** The agency's private Ed25519 JWK; its public half must be in the agency's JWKS. */
  privateKeyFile: string;
  policiesDir: string;
  kafkaBrokers: string[];
  topicPrefix: string;
  topicPartitions: number;
  replicationFactor: number;
  backend: BackendConfig;
  /** How the backend's answers become records of the hub's schemas; checked against those schemas at start-up. */
  mappings?: MappingsConfig;
  /** Requests fetched from the backend at once. */
  concurrency: number;
}

const folderBackend = (type: 'file' | 'memory') => ({
  type: 'object',
  additionalProperties: false,
  required: ['type', 'dir'],
  properties: { type: { const: type }, dir: { type: 'string', minLength: 1 } },
});

/** One branch per backend kind, chosen by `type`, so a bad backend gets the errors of its own kind only. */
export const BACKEND_SCHEMA = {
  type: 'object',
  required: ['type'],
  discriminator: { propertyName: 'type' },
  oneOf: [folderBackend('file'), folderBackend('memory'), restBackendSchema, postgresBackendSchema, soapBackendSchema],
};

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['agencyId', 'privateKeyFile', 'policiesDir', 'kafkaBrokers', 'topicPrefix', 'topicPartitions', 'replicationFactor', 'backend', 'concurrency', 'adminListen', 'adminAllowRemote'],
  properties: {
    agencyId: { type: 'string', pattern: '^[A-Z][A-Z0-9-]{1,31}$' },
    privateKeyFile: { type: 'string', minLength: 1 },
    policiesDir: { type: 'string', minLength: 1 },
    kafkaBrokers: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[^:]+:\\d{1,5}$' } },
    ...KAFKA_SECURITY_PROPERTIES,
    topicPrefix: { type: 'string', pattern: '^[A-Za-z0-9._-]{0,100}$' },
    topicPartitions: { type: 'integer', minimum: 1, maximum: 1000 },
    replicationFactor: { type: 'integer', minimum: 1, maximum: 7 },
    concurrency: { type: 'integer', minimum: 1, maximum: 1024 },
    ...ADMIN_LISTEN_PROPERTIES,
    backend: BACKEND_SCHEMA,
    mappings: mappingsConfigSchema,
  },
} as unknown as JSONSchemaType<ConnectorConfig>;

export const CONNECTOR_DEFAULTS: Partial<ConnectorConfig> = {
  topicPrefix: 'xhub.',
  topicPartitions: 3,
  replicationFactor: 1,
  concurrency: 64,
  // The node's admin port is 9464; several connectors on one host each need their own.
  adminListen: '127.0.0.1:9465',
  adminAllowRemote: false,
};

export function loadConnectorConfig(explicit: Partial<ConnectorConfig>, env: NodeJS.ProcessEnv = process.env): Readonly<ConnectorConfig> {
  const config = loadConfig(
    'connector',
    schema,
    {
      agencyId: { env: 'XHUB_AGENCY_ID' },
      privateKeyFile: { env: 'XHUB_AGENCY_KEY_FILE' },
      policiesDir: { env: 'XHUB_POLICIES_DIR' },
      kafkaBrokers: { env: 'KAFKA_BROKERS', parse: 'list' },
      ...KAFKA_SECURITY_ENV,
      topicPrefix: { env: 'XHUB_TOPIC_PREFIX' },
      topicPartitions: { env: 'XHUB_TOPIC_PARTITIONS', parse: 'int' },
      replicationFactor: { env: 'XHUB_REPLICATION_FACTOR', parse: 'int' },
      backend: { env: 'XHUB_BACKEND', parse: 'json' },
      mappings: { env: 'XHUB_MAPPINGS', parse: 'json' },
      concurrency: { env: 'XHUB_CONNECTOR_CONCURRENCY', parse: 'int' },
      ...ADMIN_LISTEN_ENV,
    },
    CONNECTOR_DEFAULTS,
    explicit,
    env,
  );
  checkAdminListen(config, 'connector');
  return config;
}

/** What `xhub connector check` needs of a connector config: no Kafka, no signing key. */
export type ConnectorCheckConfig = Pick<ConnectorConfig, 'agencyId' | 'policiesDir' | 'backend' | 'mappings'>;

/**
 * Reads the backend half of a connector config, so an integrator can try the
 * backend and the mapping on site before Kafka credentials exist. The other
 * keys of the same file are allowed and ignored here.
 */
export function loadConnectorCheckConfig(explicit: Partial<ConnectorConfig>, env: NodeJS.ProcessEnv = process.env): Readonly<ConnectorCheckConfig> {
  const { agencyId, policiesDir, backend, mappings } = schema.properties as Record<string, object>;
  const checkSchema = {
    type: 'object',
    required: ['agencyId', 'policiesDir', 'backend'],
    properties: { agencyId, policiesDir, backend, mappings },
  } as unknown as JSONSchemaType<ConnectorCheckConfig>;
  const bindings = {
    agencyId: { env: 'XHUB_AGENCY_ID' },
    policiesDir: { env: 'XHUB_POLICIES_DIR' },
    backend: { env: 'XHUB_BACKEND', parse: 'json' },
    mappings: { env: 'XHUB_MAPPINGS', parse: 'json' },
  } as const;
  const picked = { agencyId: explicit.agencyId, policiesDir: explicit.policiesDir, backend: explicit.backend, mappings: explicit.mappings };
  return loadConfig('connector', checkSchema, bindings, {}, picked, env);
}
