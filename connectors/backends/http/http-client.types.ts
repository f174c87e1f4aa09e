import type { BackendTlsConfig, RestAuthConfig } from '../backend.types.ts';

/** What the REST and SOAP backends share: TLS (incl. mutual), authentication, a body limit, a deadline. */
export interface HttpClientOptions {
  tls?: BackendTlsConfig;
  auth?: RestAuthConfig;
  /** Default 1 MiB. */
  maxResponseBytes?: number;
  /** Upper bound per request; the request's own deadline may be shorter. */
  timeoutMs: number;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** The whole body, read within the deadline and the size limit. */
  text: string;
}

/**
 * Sends one request with authentication attached (an OAuth2 token fetched and
 * cached, refreshed once on a 401), and classifies transport failures as
 * HubErrors: ERR_BACKEND_TIMEOUT (deadline), ERR_BACKEND_UNAVAILABLE (refused,
 * reset, TLS failure, token endpoint down), ERR_BACKEND_RESPONSE_INVALID (body
 * over the limit). HTTP status codes are returned, not thrown: each backend
 * knows what a 404 or a 500 means for it.
 */
export interface HttpClient {
  send(request: HttpRequest, timeoutMs: number): Promise<HttpAnswer>;
  close(): Promise<void>;
}
