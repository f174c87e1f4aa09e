import type { JSONSchemaType } from 'ajv';
import { loadConfig } from '../lib/config/load-config.ts';
import { HubError } from '../lib/errors/hub-error.ts';
import { defaultAuditOrigin, isAuditOrigin } from './audit/checkpoint-message.ts';
import { DEFAULT_MAX_CONSENT_VALIDITY_DAYS } from './consent/grant-times.ts';
import { KAFKA_SECURITY_ENV, KAFKA_SECURITY_PROPERTIES, type KafkaConnectionSettings } from '../lib/kafka/connection.ts';
import { ADMIN_LISTEN_ENV, ADMIN_LISTEN_PROPERTIES, checkAdminListen, type AdminListenSettings } from '../lib/metrics/admin-listen.ts';
import { isLoopbackListen } from './transport/listen-address.ts';

/** Files of the node's TLS identity, and of the CA its agencies' client certificates chain to. */
export interface NodeTlsConfig {
  /** PEM certificate chain the node serves. */
  certFile: string;
  /** PEM private key of that certificate. */
  keyFile: string;
  /** PEM CA bundle for client certificates (mutual TLS). */
  clientCaFile?: string;
  /**
   * Refuse every connection without a client certificate chained to
   * clientCaFile. Defaults to true when clientCaFile is set: grpc-js's
   * createSsl either requires a client certificate or does not ask for one.
   */
  requireClientCert?: boolean;
}

/** The DPO web console, served by an audit node over HTTPS with the node's own certificate. */
export interface ConsoleConfig {
  /** host:port; loopback unless `allowRemote`. Port 0 picks a free port. */
  listen: string;
  /** Accounts of named DPOs (JSON, mode 0600), made with `xhub console add-user`. */
  usersFile: string;
  /** Serve on a non-loopback address (behind the operator's own network controls). */
  allowRemote?: boolean;
  /** A session ends after this long without a request. */
  idleTimeoutMs?: number;
  /** Consecutive failed logins that lock an account. */
  maxFailures?: number;
  /** How long a lock-out lasts. */
  lockoutMs?: number;
  /** Consecutive failed logins from one address (an IPv6 /64) that lock it out, whatever names it tries. */
  addressMaxFailures?: number;
}

export interface NodeConfig extends KafkaConnectionSettings, AdminListenSettings {
  /** The DPO web console (audit nodes only: auditQueries on, tls set). */
  console?: ConsoleConfig;
  /** This node's id; also an audience a caller's JWT may name. */
  nodeId: string;
  /**
   * The audience shared by every node of the deployment (e.g. `exchange-hub.example.go.th`):
   * callers behind a load balancer name it instead of one node. Tokens are
   * accepted once across all nodes either way (the claims topic).
   */
  clusterAudience?: string;
  /** host:port for gRPC. Port 0 picks a free port. */
  listen: string;
  /** TLS for gRPC: required unless `insecure`. */
  tls?: NodeTlsConfig;
  /** Serve plaintext gRPC. Allowed only on a loopback address (127.0.0.0/8, ::1, localhost), for local development. */
  insecure: boolean;
  policiesDir: string;
  /** Private Ed25519 JWK of the hub, whose public half is in the policy's hub.json. */
  hubKeyFile: string;
  /** This node's own private Ed25519 JWK: it signs the consent events and audit entries the node writes; its public half is under the node's id in hub.json. */
  nodeKeyFile: string;
  /** Credentials of the sequencer principal (reads the audit log, writes checkpoints); needed where auditSequencer is on. */
  kafkaSequencerCredentialsFile?: string | undefined;
  /** Credentials of the Kafka admin: if set, the node creates the hub's topics and ACLs at start and on policy reload. */
  kafkaAdminCredentialsFile?: string | undefined;
  /** The operator's HMAC key (base64, 32+ bytes) for citizen-id pseudonyms in consent and audit records. */
  pseudonymKeyFile: string;
  /** Reload the policy folder when it changes (validated whole first; an invalid one is refused). */
  watchPolicies: boolean;
  /** How long the consent view may trail the consent topic before consent decisions stop. */
  consentLagToleranceMs: number;
  /** The longest validity a Grant may give a consent, from valid_from to valid_to, in days. */
  maxConsentValidityDays: number;
  /**
   * The audit log's name in its checkpoints (C2SP origin line, and the note key
   * name). Default `exchange-hub.local/<hub id>`, from the policy's hub.json (see `resolveAuditOrigin`).
   */
  auditOrigin?: string | undefined;
  /** How often the sequencer publishes a checkpoint while entries arrive. */
  checkpointIntervalMs: number;
  /** SQLite file of the audit query index (derived; delete it to rebuild), or :memory:. */
  auditIndexFile: string;
  /**
   * Keep a query index and serve the Audit service. Off on nodes that only
   * serve exchanges, so the index's work stays off their event loop; an audit
   * node (on) answers DPOs. Audit entries are written either way.
   */
  auditQueries: boolean;
  /** Take part in choosing the one sequencer that signs checkpoints. At least one node must. */
  auditSequencer: boolean;
  kafkaBrokers: string[];
  topicPrefix: string;
  topicPartitions: number;
  replicationFactor: number;
  /** Used when the caller sets no gRPC deadline. */
  defaultTimeoutMs: number;
  /** The longest an exchange may wait for its provider, whatever the caller's deadline. */
  maxTimeoutMs: number;
  /** How long a client request id is remembered with its outcome. */
  idempotencyTtlMs: number;
  maxTokenLifetimeSec: number;
  clockSkewSec: number;
}

const schema: JSONSchemaType<NodeConfig> = {
  type: 'object',
  additionalProperties: false,
  required: ['nodeId', 'listen', 'insecure', 'policiesDir', 'hubKeyFile', 'nodeKeyFile', 'pseudonymKeyFile', 'watchPolicies', 'consentLagToleranceMs', 'maxConsentValidityDays', 'checkpointIntervalMs', 'auditIndexFile', 'auditQueries', 'auditSequencer', 'kafkaBrokers', 'topicPrefix', 'topicPartitions', 'replicationFactor', 'defaultTimeoutMs', 'maxTimeoutMs', 'idempotencyTtlMs', 'maxTokenLifetimeSec', 'clockSkewSec', 'adminListen', 'adminAllowRemote'],
  properties: {
    nodeId: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
    clusterAudience: { type: 'string', pattern: '^[A-Za-z0-9._:/-]{1,128}$', nullable: true },
    listen: { type: 'string', pattern: '^(\\[[0-9A-Fa-f:.]+\\]|[^:]+):\\d{1,5}$' },
    tls: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      required: ['certFile', 'keyFile'],
      properties: {
        certFile: { type: 'string', minLength: 1 },
        keyFile: { type: 'string', minLength: 1 },
        clientCaFile: { type: 'string', minLength: 1, nullable: true },
        requireClientCert: { type: 'boolean', nullable: true },
      },
    },
    insecure: { type: 'boolean' },
    console: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      required: ['listen', 'usersFile'],
      properties: {
        listen: { type: 'string', minLength: 1 },
        usersFile: { type: 'string', minLength: 1 },
        allowRemote: { type: 'boolean', nullable: true },
        idleTimeoutMs: { type: 'integer', minimum: 60_000, maximum: 86_400_000, nullable: true },
        maxFailures: { type: 'integer', minimum: 1, maximum: 100, nullable: true },
        lockoutMs: { type: 'integer', minimum: 1_000, maximum: 86_400_000, nullable: true },
        addressMaxFailures: { type: 'integer', minimum: 1, maximum: 10_000, nullable: true },
      },
    },
    policiesDir: { type: 'string', minLength: 1 },
    hubKeyFile: { type: 'string', minLength: 1 },
    pseudonymKeyFile: { type: 'string', minLength: 1 },
    nodeKeyFile: { type: 'string', minLength: 1 },
    kafkaSequencerCredentialsFile: { type: 'string', minLength: 1, nullable: true },
    kafkaAdminCredentialsFile: { type: 'string', minLength: 1, nullable: true },
    ...KAFKA_SECURITY_PROPERTIES,
    watchPolicies: { type: 'boolean' },
    consentLagToleranceMs: { type: 'integer', minimum: 100, maximum: 60_000 },
    // Up to a century: longer is no longer a time-bound consent (PDPA s.19).
    maxConsentValidityDays: { type: 'integer', minimum: 1, maximum: 36_525 },
    auditOrigin: { type: 'string', pattern: '^[^\\s+]{1,200}$', nullable: true },
    checkpointIntervalMs: { type: 'integer', minimum: 50, maximum: 1_000 },
    auditIndexFile: { type: 'string', minLength: 1 },
    auditQueries: { type: 'boolean' },
    auditSequencer: { type: 'boolean' },
    kafkaBrokers: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[^:]+:\\d{1,5}$' } },
    topicPrefix: { type: 'string', pattern: '^[A-Za-z0-9._-]{0,100}$' },
    topicPartitions: { type: 'integer', minimum: 1, maximum: 1000 },
    replicationFactor: { type: 'integer', minimum: 1, maximum: 7 },
    defaultTimeoutMs: { type: 'integer', minimum: 100, maximum: 300_000 },
    maxTimeoutMs: { type: 'integer', minimum: 100, maximum: 300_000 },
    idempotencyTtlMs: { type: 'integer', minimum: 1_000, maximum: 3_600_000 },
    maxTokenLifetimeSec: { type: 'integer', minimum: 1, maximum: 300 },
    clockSkewSec: { type: 'integer', minimum: 0, maximum: 120 },
    ...ADMIN_LISTEN_PROPERTIES,
  },
};

export const NODE_DEFAULTS: Partial<NodeConfig> = {
  nodeId: 'node-1',
  listen: '127.0.0.1:50051',
  insecure: false,
  watchPolicies: true,
  consentLagToleranceMs: 1_000,
  maxConsentValidityDays: DEFAULT_MAX_CONSENT_VALIDITY_DAYS,
  checkpointIntervalMs: 500,
  auditIndexFile: ':memory:',
  auditQueries: true,
  auditSequencer: true,
  topicPrefix: 'xhub.',
  topicPartitions: 3,
  replicationFactor: 1,
  defaultTimeoutMs: 5_000,
  maxTimeoutMs: 30_000,
  idempotencyTtlMs: 10 * 60_000,
  maxTokenLifetimeSec: 300,
  clockSkewSec: 30,
  // 9464: the default port of OpenTelemetry's Prometheus exporter, which scrape configs for Node services often expect; connectors take 9465.
  adminListen: '127.0.0.1:9464',
  adminAllowRemote: false,
};

export function loadNodeConfig(explicit: Partial<NodeConfig>, env: NodeJS.ProcessEnv = process.env): Readonly<NodeConfig> {
  const config = loadConfig(
    'node',
    schema,
    {
      nodeId: { env: 'XHUB_NODE_ID' },
      clusterAudience: { env: 'XHUB_CLUSTER_AUDIENCE' },
      listen: { env: 'XHUB_LISTEN' },
      insecure: { env: 'XHUB_INSECURE', parse: 'bool' },
      policiesDir: { env: 'XHUB_POLICIES_DIR' },
      hubKeyFile: { env: 'XHUB_HUB_KEY_FILE' },
      pseudonymKeyFile: { env: 'XHUB_PSEUDONYM_KEY_FILE' },
      nodeKeyFile: { env: 'XHUB_NODE_KEY_FILE' },
      kafkaSequencerCredentialsFile: { env: 'KAFKA_SEQUENCER_CREDENTIALS_FILE' },
      kafkaAdminCredentialsFile: { env: 'KAFKA_ADMIN_CREDENTIALS_FILE' },
      ...KAFKA_SECURITY_ENV,
      maxConsentValidityDays: { env: 'XHUB_MAX_CONSENT_VALIDITY_DAYS', parse: 'int' },
      auditOrigin: { env: 'XHUB_AUDIT_ORIGIN' },
      auditIndexFile: { env: 'XHUB_AUDIT_INDEX_FILE' },
      kafkaBrokers: { env: 'KAFKA_BROKERS', parse: 'list' },
      topicPrefix: { env: 'XHUB_TOPIC_PREFIX' },
      topicPartitions: { env: 'XHUB_TOPIC_PARTITIONS', parse: 'int' },
      replicationFactor: { env: 'XHUB_REPLICATION_FACTOR', parse: 'int' },
      defaultTimeoutMs: { env: 'XHUB_DEFAULT_TIMEOUT_MS', parse: 'int' },
      maxTimeoutMs: { env: 'XHUB_MAX_TIMEOUT_MS', parse: 'int' },
      idempotencyTtlMs: { env: 'XHUB_IDEMPOTENCY_TTL_MS', parse: 'int' },
      ...ADMIN_LISTEN_ENV,
    },
    NODE_DEFAULTS,
    { ...tlsFromEnv(env), ...explicit },
    env,
  );
  checkTransport(config);
  checkAdminListen(config, 'node');
  // An id forgotten while its exchange still runs would let a retry transfer twice.
  if (config.idempotencyTtlMs <= config.maxTimeoutMs) {
    throw new HubError('ERR_CONFIG_INVALID', `invalid node config:\n  idempotencyTtlMs (env XHUB_IDEMPOTENCY_TTL_MS): must be longer than maxTimeoutMs (${config.maxTimeoutMs})`);
  }
  if (config.auditSequencer && !config.kafkaInsecure && !config.kafkaSequencerCredentialsFile) {
    throw new HubError('ERR_CONFIG_INVALID', `invalid node config:\n  kafkaSequencerCredentialsFile (env KAFKA_SEQUENCER_CREDENTIALS_FILE): required where auditSequencer is on (the sequencer is its own Kafka principal)`);
  }
  if (config.defaultTimeoutMs > config.maxTimeoutMs) {
    throw new HubError('ERR_CONFIG_INVALID', `invalid node config:\n  defaultTimeoutMs (env XHUB_DEFAULT_TIMEOUT_MS): must not exceed maxTimeoutMs (${config.maxTimeoutMs})`);
  }
  return config;
}

/** A node's config once its policy is loaded: the audit origin is always known. */
export type ResolvedNodeConfig = Readonly<NodeConfig> & { readonly auditOrigin: string };

/** Fills in the audit origin from the policy's hub id where config and XHUB_AUDIT_ORIGIN give none. */
export function resolveAuditOrigin(config: Readonly<NodeConfig>, hubId: string): ResolvedNodeConfig {
  if (config.auditOrigin) return config as ResolvedNodeConfig;
  const auditOrigin = defaultAuditOrigin(hubId);
  if (!isAuditOrigin(auditOrigin)) {
    throw new HubError('ERR_CONFIG_INVALID', `invalid node config:\n  auditOrigin (env XHUB_AUDIT_ORIGIN): the default "${auditOrigin}" from hub.json's id is not a valid origin (no spaces or plus signs); set auditOrigin`);
  }
  return Object.freeze({ ...config, auditOrigin });
}

/**
 * The node's TLS files from XHUB_TLS_* (one object in the config, three
 * variables in the environment); explicit `tls` still wins, as it is spread after.
 */
function tlsFromEnv(env: NodeJS.ProcessEnv): Partial<NodeConfig> {
  const certFile = env.XHUB_TLS_CERT_FILE;
  const keyFile = env.XHUB_TLS_KEY_FILE;
  const clientCaFile = env.XHUB_TLS_CLIENT_CA_FILE;
  if (!certFile && !keyFile && !clientCaFile) return {};
  return { tls: { certFile: certFile ?? '', keyFile: keyFile ?? '', ...(clientCaFile ? { clientCaFile } : {}) } };
}

/**
 * Plaintext gRPC would carry bearer tokens, citizen ids and records in clear:
 * TLS is the default and `insecure` is a development switch for loopback only.
 */
function checkTransport(config: NodeConfig): void {
  const invalid = (message: string) => new HubError('ERR_CONFIG_INVALID', `invalid node config:\n  ${message}`);
  if (config.insecure && config.tls) throw invalid('insecure (env XHUB_INSECURE): set either tls or insecure, not both');
  if (config.insecure && !isLoopbackListen(config.listen)) {
    throw invalid(`insecure (env XHUB_INSECURE): plaintext gRPC is allowed only on a loopback address (127.0.0.0/8, ::1, localhost), not on ${config.listen}; configure tls`);
  }
  if (!config.insecure && !config.tls) {
    throw invalid('tls (env XHUB_TLS_CERT_FILE, XHUB_TLS_KEY_FILE): TLS is required; give the node a certificate and key (or, on loopback only, set insecure: true)');
  }
  if (config.tls?.requireClientCert === false && config.tls.clientCaFile) {
    throw invalid('tls.requireClientCert: a clientCaFile with requireClientCert false is not supported (client certificates would never be asked for); drop clientCaFile or require the certificate');
  }
  if (config.tls?.requireClientCert === true && !config.tls.clientCaFile) {
    throw invalid('tls.clientCaFile (env XHUB_TLS_CLIENT_CA_FILE): requireClientCert needs the CA that client certificates chain to');
  }
}
