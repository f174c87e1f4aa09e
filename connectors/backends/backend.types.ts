/**
 * An agency's own system, as the connector sees it. `fetch` returns the
 * backend's raw answer for one subject (a row, a document's extracted fields,
 * a JSON object) or undefined when the agency holds no such record; the
 * connector then maps it (connectors/mapping) and checks it against the record
 * type's schema. Any other failure throws a HubError with a backend code
 * (ERR_BACKEND_UNAVAILABLE, ERR_BACKEND_TIMEOUT, ERR_BACKEND_CIRCUIT_OPEN,
 * ERR_BACKEND_FAULT, ERR_BACKEND_RESPONSE_INVALID, ERR_BACKEND_AMBIGUOUS) whose
 * message never carries the backend's own error text, SQL or record content:
 * it goes to the consumer and to logs.
 */
export interface Backend {
  fetch(recordType: string, subject: string, timeoutMs: number): Promise<Record<string, unknown> | undefined>;
  /** Releases pools, agents and timers; called once when the connector stops. */
  close?(): Promise<void>;
}

export type BackendConfig =
  FileBackendConfig | MemoryBackendConfig | RestBackendConfig | PostgresBackendConfig | SoapBackendConfig;

/** Records as files `<dir>/<recordType>/<subject>.json`: demos and tests. */
export interface FileBackendConfig {
  type: 'file';
  dir: string;
}

/** The file layout, loaded once into memory: benchmarks. */
export interface MemoryBackendConfig {
  type: 'memory';
  dir: string;
}

/** TLS towards a backend: a private CA, and a client certificate for mutual TLS. */
export interface BackendTlsConfig {
  /** PEM bundle of the CA(s) that sign the backend's certificate; the system store when absent. */
  caFile?: string;
  /** PEM client certificate and key, for backends that require mutual TLS. */
  certFile?: string;
  keyFile?: string;
}

/** How a backend's failures are retried and contained. */
export interface BackendResilienceConfig {
  /** Fetches in flight at once towards this backend; more wait in line (within their deadline). */
  maxConcurrency?: number;
  /** Retries of a failed fetch that is safe to repeat (a read that failed before an answer, 502/503/504); 0 = none. */
  retries?: number;
  /** First back-off in ms; doubles per retry, with jitter, never past the request's deadline. */
  retryBackoffMs?: number;
  /** Consecutive failures that open the circuit breaker. */
  breakerFailureThreshold?: number;
  /** How long an open circuit answers ERR_BACKEND_CIRCUIT_OPEN before one trial fetch is let through. */
  breakerResetMs?: number;
}

export type RestAuthConfig =
  | { type: 'none' }
  /** A static key sent in a header; the key itself is read from a file, never written in config. */
  | { type: 'api-key'; header: string; keyFile: string }
  /** OAuth2 client credentials (RFC 6749 s.4.4); the token is cached until shortly before it expires. */
  | {
      type: 'oauth2-client-credentials';
      tokenUrl: string;
      clientId: string;
      clientSecretFile: string;
      scope?: string;
    };

/** An agency JSON-over-HTTP(S) API. */
export interface RestBackendConfig extends BackendResilienceConfig {
  type: 'http';
  /** Names `{subject}` and usually `{recordType}`: `https://registry.internal/api/{recordType}/{subject}`. */
  urlTemplate: string;
  timeoutMs: number;
  /** Extra non-secret headers. */
  headers?: Record<string, string>;
  auth?: RestAuthConfig;
  tls?: BackendTlsConfig;
  /** Largest answer body read, in bytes; a larger one is ERR_BACKEND_RESPONSE_INVALID. */
  maxResponseBytes?: number;
}

/** A PostgreSQL database, usually a reporting view, read through one parameterised query per record type. */
export interface PostgresBackendConfig extends BackendResilienceConfig {
  type: 'postgres';
  host: string;
  port: number;
  database: string;
  user: string;
  /** File holding the password of a role that can only read. */
  passwordFile?: string;
  /** `require` verifies the server certificate against `tls.caFile` (or the system store); `disable` is for loopback only. */
  sslMode?: 'disable' | 'require';
  tls?: BackendTlsConfig;
  /** Per-statement limit set on every connection (statement_timeout). */
  statementTimeoutMs: number;
  /** Connections in the pool. */
  poolSize?: number;
  /** Per record type, one read-only query with the citizen id as `$1`, e.g. `SELECT ... FROM v_person WHERE citizen_id = $1`. */
  queries: Record<string, string>;
}

/** A SOAP 1.1/1.2 or plain XML-over-HTTP service, like the DOPA linkage centre's. */
export interface SoapBackendConfig extends BackendResilienceConfig {
  type: 'soap';
  /** Endpoint URL. */
  url: string;
  timeoutMs: number;
  auth?: RestAuthConfig;
  tls?: BackendTlsConfig;
  maxResponseBytes?: number;
  operations: Record<string, SoapOperationConfig>;
}

export interface SoapOperationConfig {
  /** SOAPAction header (SOAP 1.1) or action parameter (1.2). */
  soapAction?: string;
  /** The request body; `{subject}` is replaced by the XML-escaped citizen id. */
  requestTemplate: string;
  /** Path to the element whose presence means "found", e.g. `Envelope/Body/GetPersonResponse/Person`; absent = not found. */
  recordPath: string;
  /** Backend field name → path below `recordPath`, e.g. `{"firstName": "Name/First"}`; `@attr` for an attribute. */
  fields: Record<string, string>;
}
