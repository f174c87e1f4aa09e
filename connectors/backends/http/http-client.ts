import { Agent, request as undiciRequest } from 'undici';
import { HubError, isHubError } from '../../../lib/errors/hub-error.ts';
import type { BackendTlsConfig } from '../backend.types.ts';
import { readConfigFile } from './config-file.ts';
import { createHttpAuth, type HttpAuth } from './http-auth.ts';
import type { HttpAnswer, HttpClient, HttpClientOptions, HttpRequest } from './http-client.types.ts';
import { readBody } from './read-body.ts';
import { transportFailure } from './transport-error.ts';

export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
const BACKEND = 'agency backend';
const TOKEN_ENDPOINT = 'OAuth2 token endpoint';

/**
 * The HTTP(S) client the REST and SOAP backends share. Files (CA, client
 * certificate and key, API key, client secret) are read here, once: a missing
 * one stops start-up with ERR_CONFIG_INVALID naming it.
 */
export async function createHttpClient(options: HttpClientOptions): Promise<HttpClient> {
  const connect = { ...(await readTls(options.tls)), timeout: options.timeoutMs };
  const agent = new Agent({ connect });
  const limit = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const exchange = (
    request: HttpRequest,
    ms: number,
    deadline: AbortSignal,
    peer: string,
  ): Promise<HttpAnswer> => exchangeOnce(agent, request, { limit, ms, deadline, peer });
  let auth: HttpAuth;
  try {
    auth = await createHttpAuth(
      options.auth,
      (request, ms) => exchange(request, ms, AbortSignal.timeout(ms), TOKEN_ENDPOINT),
      options.timeoutMs,
    );
  } catch (error) {
    await agent.close();
    throw error;
  }
  return {
    async send(request: HttpRequest, timeoutMs: number): Promise<HttpAnswer> {
      // One deadline for the whole call: waiting for a token, connect, headers, body, and the one retry after a 401.
      const ms = Math.max(
        1,
        Math.min(options.timeoutMs, Number.isFinite(timeoutMs) ? timeoutMs : options.timeoutMs),
      );
      const deadline = AbortSignal.timeout(ms);
      const attempt = async (): Promise<{ used: Record<string, string>; answer: HttpAnswer }> => {
        const used = await credentials(auth, deadline, ms);
        return {
          used,
          answer: await exchange(
            { ...request, headers: { ...lowerCaseKeys(request.headers), ...used } },
            ms,
            deadline,
            BACKEND,
          ),
        };
      };
      const first = await attempt();
      // A token revoked before its expiry: one fresh token, one more try (RFC 6750 s.3.1 invalid_token).
      if (first.answer.status === 401 && auth.renew(first.used)) return (await attempt()).answer;
      return first.answer;
    },
    async close(): Promise<void> {
      await agent.close();
    },
  };
}

interface ExchangeLimits {
  limit: number;
  ms: number;
  deadline: AbortSignal;
  peer: string;
}

/** One request and its whole body; every failure leaves as a HubError. */
async function exchangeOnce(
  agent: Agent,
  request: HttpRequest,
  { limit, ms, deadline, peer }: ExchangeLimits,
): Promise<HttpAnswer> {
  let answered = false;
  try {
    const response = await undiciRequest(request.url, {
      dispatcher: agent,
      method: request.method,
      headers: request.headers ?? {},
      body: request.body ?? null,
      signal: deadline,
    });
    answered = true;
    const text = await readBody(response.body, limit, response.headers['content-length']);
    return { status: response.statusCode, headers: toHeaders(response.headers), text };
  } catch (error) {
    if (isHubError(error)) throw error;
    if (deadline.aborted)
      throw new HubError('ERR_BACKEND_TIMEOUT', `${peer} did not answer within ${ms} ms`, { cause: error });
    throw transportFailure(error, answered, peer);
  }
}

async function credentials(
  auth: HttpAuth,
  deadline: AbortSignal,
  ms: number,
): Promise<Record<string, string>> {
  try {
    return await auth.headers(deadline);
  } catch (error) {
    if (isHubError(error)) throw error;
    throw new HubError('ERR_BACKEND_TIMEOUT', `${TOKEN_ENDPOINT} gave no token within ${ms} ms`, {
      cause: error,
    });
  }
}

async function readTls(
  tls: BackendTlsConfig | undefined,
): Promise<{ ca?: string; cert?: string; key?: string }> {
  if (!tls) return {};
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
    throw new HubError(
      'ERR_CONFIG_INVALID',
      'tls.certFile and tls.keyFile go together: mutual TLS needs both the client certificate and its key',
    );
  }
  return {
    ...(tls.caFile !== undefined && { ca: await readConfigFile('tls.caFile', tls.caFile) }),
    ...(tls.certFile !== undefined && { cert: await readConfigFile('tls.certFile', tls.certFile) }),
    ...(tls.keyFile !== undefined && { key: await readConfigFile('tls.keyFile', tls.keyFile) }),
  };
}

function lowerCaseKeys(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
  );
}

function toHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      try {
        headers.append(name, one);
      } catch {
        // A header value Fetch rejects is dropped, not fatal: backends read only a few known headers.
      }
    }
  }
  return headers;
}
