import { HubError } from '../../../lib/errors/hub-error.ts';
import type { Backend, RestBackendConfig } from '../backend.types.ts';
import { parseRecord } from '../parse-record.ts';
import { retrySafe } from '../retry-safety.ts';
import { createHttpClient } from './http-client.ts';
import type { HttpAnswer, HttpClient } from './http-client.types.ts';

const SOURCE = 'agency backend';

/**
 * An agency JSON-over-HTTP(S) API, e.g. `https://registry.internal/api/{recordType}/{subject}`,
 * behind OAuth2 client credentials, an API key or mutual TLS. 200 → the
 * record; 404 → no record; every other answer a HubError that names the
 * status only, never the backend's own words.
 */
export class RestBackend implements Backend {
  private readonly config: RestBackendConfig;
  private readonly client: HttpClient;

  private constructor(config: RestBackendConfig, client: HttpClient) {
    this.config = config;
    this.client = client;
  }

  /** Reads the TLS and credential files now: a missing one stops start-up, not the first request. */
  static async open(config: RestBackendConfig): Promise<RestBackend> {
    const { tls, auth, maxResponseBytes, timeoutMs } = config;
    return new RestBackend(config, await createHttpClient({ tls, auth, maxResponseBytes, timeoutMs }));
  }

  async fetch(
    recordType: string,
    subject: string,
    timeoutMs: number,
  ): Promise<Record<string, unknown> | undefined> {
    // Both go into the path: encoded so a subject can never add segments or a query.
    const url = this.config.urlTemplate
      .replaceAll('{recordType}', encodeURIComponent(recordType))
      .replaceAll('{subject}', encodeURIComponent(subject));
    const answer = await this.client.send(
      { method: 'GET', url, headers: { accept: 'application/json', ...this.config.headers } },
      timeoutMs,
    );
    return recordFrom(answer);
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/** What each status means for a read of one record. */
export function recordFrom(answer: HttpAnswer): Record<string, unknown> | undefined {
  const { status } = answer;
  if (status === 200) return parseRecord(answer.text, SOURCE);
  if (status === 404) return undefined;
  // The backend (or its gateway) says it is down right now: a read may be sent again.
  if (status === 502 || status === 503 || status === 504)
    return fail(retrySafe(new HubError('ERR_BACKEND_UNAVAILABLE', `${SOURCE} answered HTTP ${status}`)));
  if (status >= 500)
    return fail(new HubError('ERR_BACKEND_UNAVAILABLE', `${SOURCE} answered HTTP ${status}`));
  // Reached only after the client's one token refresh: the credentials themselves are wrong.
  if (status === 401 || status === 403)
    return fail(
      new HubError('ERR_BACKEND_FAULT', `${SOURCE} refused the connector's credentials (HTTP ${status})`),
    );
  if (status >= 400)
    return fail(new HubError('ERR_BACKEND_FAULT', `${SOURCE} refused the request (HTTP ${status})`));
  // Redirects are not followed and other 2xx carry no record: the URL template is likely wrong.
  return fail(
    new HubError(
      'ERR_BACKEND_RESPONSE_INVALID',
      `${SOURCE} answered HTTP ${status} where 200 or 404 was expected`,
    ),
  );
}

function fail(error: HubError): never {
  throw error;
}
