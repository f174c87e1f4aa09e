import { HubError, isHubError } from '../../../lib/errors/hub-error.ts';
import { isRetrySafe, retrySafe } from '../retry-safety.ts';
import type { HttpAnswer, HttpRequest } from './http-client.types.ts';

/** Sends one request to the token endpoint; its failures name the token endpoint, not the backend. */
export type TokenTransport = (request: HttpRequest, timeoutMs: number) => Promise<HttpAnswer>;

export interface OAuth2TokenSourceOptions {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
  /** Limit for one token request. */
  timeoutMs: number;
  transport: TokenTransport;
  /** Milliseconds since the epoch; tests pass a fake clock. */
  now?: () => number;
}

// RFC 6749 s.5.1 makes expires_in only RECOMMENDED; without it the token is
// kept briefly and a 401 refreshes it anyway.
const DEFAULT_LIFETIME_MS = 60_000;
const MAX_LIFETIME_MS = 86_400_000;
// Refresh 30 s before expiry (clock skew, a request still on the wire), or at
// 90 % of the lifetime for tokens shorter than five minutes.
const MAX_REFRESH_MARGIN_MS = 30_000;
// RFC 6750 s.2.1 b64token: what may follow "Bearer " in a header.
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const PEER = 'OAuth2 token endpoint';

interface CachedToken {
  value: string;
  refreshAt: number;
}

/**
 * An OAuth2 client-credentials token (RFC 6749 s.4.4), fetched on first use,
 * cached until shortly before it expires and shared: concurrent callers wait
 * for one token request instead of each sending their own.
 */
export class OAuth2TokenSource {
  private readonly options: OAuth2TokenSourceOptions;
  private readonly now: () => number;
  private cached: CachedToken | undefined;
  private inflight: Promise<string> | undefined;

  constructor(options: OAuth2TokenSourceOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  /** The current token; `signal` ends the wait (not the shared request) when the caller's deadline passes. */
  async token(signal?: AbortSignal): Promise<string> {
    if (this.cached && this.now() < this.cached.refreshAt) return this.cached.value;
    this.inflight ??= this.request().finally(() => {
      this.inflight = undefined;
    });
    return signal ? untilAborted(this.inflight, signal) : this.inflight;
  }

  /** Forgets `token` after the resource server refused it (revoked early); a newer token is kept. */
  discard(token: string): void {
    if (this.cached?.value === token) this.cached = undefined;
  }

  private async request(): Promise<string> {
    const { tokenUrl, clientId, clientSecret, scope, timeoutMs, transport } = this.options;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (scope !== undefined) form.set('scope', scope);
    // RFC 6749 s.2.3.1: id and secret are form-encoded before the Basic scheme joins them.
    const basic = Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64');
    const sentAt = this.now();
    let answer: HttpAnswer;
    try {
      answer = await transport(
        {
          method: 'POST',
          url: tokenUrl,
          headers: {
            authorization: `Basic ${basic}`,
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
          },
          body: form.toString(),
        },
        timeoutMs,
      );
    } catch (error) {
      throw endpointFailure(error);
    }
    // The body may be an RFC 6749 s.5.2 error naming the client: it stays out of the message.
    if (answer.status !== 200)
      throw new HubError('ERR_BACKEND_UNAVAILABLE', `${PEER} answered HTTP ${answer.status}`);
    const { value, lifetimeMs } = parseTokenAnswer(answer.text);
    this.cached = {
      value,
      refreshAt: sentAt + lifetimeMs - Math.min(MAX_REFRESH_MARGIN_MS, lifetimeMs / 10),
    };
    return value;
  }
}

/** RFC 6749 s.5.1 access token response; the token itself never appears in an error. */
function parseTokenAnswer(text: string): { value: string; lifetimeMs: number } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HubError('ERR_BACKEND_UNAVAILABLE', `${PEER} answered with something that is not JSON`);
  }
  const {
    access_token: value,
    token_type: type,
    expires_in: expiresIn,
  } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof value !== 'string' || !B64TOKEN.test(value))
    throw new HubError('ERR_BACKEND_UNAVAILABLE', `${PEER} answered without a usable access token`);
  if (typeof type !== 'string' || type.toLowerCase() !== 'bearer')
    throw new HubError('ERR_BACKEND_UNAVAILABLE', `${PEER} issued a token that is not a Bearer token`);
  const lifetimeMs =
    typeof expiresIn === 'number' && expiresIn > 0
      ? Math.min(expiresIn * 1000, MAX_LIFETIME_MS)
      : DEFAULT_LIFETIME_MS;
  return { value, lifetimeMs };
}

/** Any failure to get a token is the backend being unavailable, whatever the transport called it. */
function endpointFailure(error: unknown): HubError {
  if (isHubError(error) && error.code === 'ERR_BACKEND_UNAVAILABLE') return error;
  const failure = new HubError(
    'ERR_BACKEND_UNAVAILABLE',
    isHubError(error) ? error.message : `${PEER} failed`,
    { cause: error },
  );
  return isRetrySafe(error) ? retrySafe(failure) : failure;
}

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    const settle = (): void => signal.removeEventListener('abort', onAbort);
    promise.then(
      (value) => {
        settle();
        resolve(value);
      },
      (error: unknown) => {
        settle();
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
