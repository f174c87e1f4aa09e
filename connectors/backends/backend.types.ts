/**
 * An agency's own system, as the connector sees it. `fetch` returns the record
 * or undefined when the agency holds no such record; any other failure throws
 * a HubError (ERR_BACKEND_UNAVAILABLE, ERR_BACKEND_TIMEOUT, ERR_RECORD_SCHEMA_INVALID).
 */
export interface Backend {
  fetch(recordType: string, subject: string, timeoutMs: number): Promise<Record<string, unknown> | undefined>;
}

export type BackendConfig =
  | { type: 'file'; dir: string }
  | { type: 'memory'; dir: string }
  | { type: 'http'; urlTemplate: string; timeoutMs: number; headers?: Record<string, string> };
