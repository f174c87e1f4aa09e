import { describe, expect, it } from 'vitest';
import type { HttpAnswer, HttpRequest } from '../../connectors/backends/http/http-client.types.ts';
import { OAuth2TokenSource } from '../../connectors/backends/http/oauth2-token-source.ts';
import { isRetrySafe, retrySafe } from '../../connectors/backends/retry-safety.ts';
import { HubError } from '../../lib/errors/hub-error.ts';

const SECRET = 'pa ss:w+rd/ไทย';

/** A token endpoint and a clock, both under the test's control. */
function fixture(
  answer: (n: number) => HttpAnswer | Promise<HttpAnswer> = (n) => tokenAnswer(`token-${n}`, 3600),
) {
  const clock = { now: 1_000_000 };
  const requests: HttpRequest[] = [];
  const source = new OAuth2TokenSource({
    tokenUrl: 'https://idp.example/token',
    clientId: 'dopa connector',
    clientSecret: SECRET,
    scope: 'person.read address.read',
    timeoutMs: 1000,
    now: () => clock.now,
    transport: async (request) => {
      requests.push(request);
      return answer(requests.length);
    },
  });
  return { clock, requests, source };
}

function tokenAnswer(token: string, expiresIn?: number, tokenType = 'Bearer', status = 200): HttpAnswer {
  return {
    status,
    headers: new Headers(),
    text: JSON.stringify({ access_token: token, token_type: tokenType, expires_in: expiresIn }),
  };
}

async function failure(promise: Promise<unknown>): Promise<HubError> {
  return promise.then(
    () => expect.fail('expected a failure'),
    (error: unknown) => error as HubError,
  );
}

describe('OAuth2TokenSource', () => {
  it('asks as RFC 6749 s.4.4 says: form body, HTTP Basic with form-encoded id and secret', async () => {
    const { requests, source } = fixture();
    expect(await source.token()).toBe('token-1');
    const [request] = requests;
    expect(request).toMatchObject({ method: 'POST', url: 'https://idp.example/token' });
    expect(request?.headers?.['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(request?.body))).toEqual({
      grant_type: 'client_credentials',
      scope: 'person.read address.read',
    });
    const basic = Buffer.from(
      request?.headers?.authorization?.replace(/^Basic /, '') ?? '',
      'base64',
    ).toString();
    expect(basic).toBe(`dopa+connector:${new URLSearchParams({ v: SECRET }).toString().slice(2)}`);
  });

  it('keeps a token until 30 s before it expires', async () => {
    const { clock, requests, source } = fixture();
    await source.token();
    clock.now += 3_569_000;
    expect(await source.token()).toBe('token-1');
    clock.now += 2_000;
    expect(await source.token()).toBe('token-2');
    expect(requests).toHaveLength(2);
  });

  it('refreshes a short-lived token at 90 % of its life', async () => {
    const { clock, source } = fixture((n) => tokenAnswer(`token-${n}`, 10));
    await source.token();
    clock.now += 8_900;
    expect(await source.token()).toBe('token-1');
    clock.now += 200;
    expect(await source.token()).toBe('token-2');
  });

  it('keeps a token without expires_in for one minute', async () => {
    const { clock, source } = fixture((n) => tokenAnswer(`token-${n}`));
    await source.token();
    clock.now += 50_000;
    expect(await source.token()).toBe('token-1');
    clock.now += 10_000;
    expect(await source.token()).toBe('token-2');
  });

  it('sends one request for concurrent callers', async () => {
    let release: (answer: HttpAnswer) => void = () => undefined;
    const { requests, source } = fixture(() => new Promise<HttpAnswer>((resolve) => (release = resolve)));
    const waiting = Promise.all(Array.from({ length: 10 }, () => source.token()));
    await Promise.resolve();
    release(tokenAnswer('shared', 3600));
    expect(new Set(await waiting)).toEqual(new Set(['shared']));
    expect(requests).toHaveLength(1);
  });

  it('discards a refused token, but not a newer one', async () => {
    const { requests, source } = fixture();
    const first = await source.token();
    source.discard(first);
    const second = await source.token();
    expect(second).toBe('token-2');
    source.discard(first);
    expect(await source.token()).toBe('token-2');
    expect(requests).toHaveLength(2);
  });

  it('a caller whose deadline passes stops waiting; the shared request still fills the cache', async () => {
    let release: (answer: HttpAnswer) => void = () => undefined;
    const { requests, source } = fixture(() => new Promise<HttpAnswer>((resolve) => (release = resolve)));
    const controller = new AbortController();
    const abandoned = source.token(controller.signal);
    controller.abort(new Error('deadline'));
    await expect(abandoned).rejects.toThrow('deadline');
    release(tokenAnswer('late', 3600));
    expect(await source.token()).toBe('late');
    expect(requests).toHaveLength(1);
  });

  it('an error answer → ERR_BACKEND_UNAVAILABLE with the status only, and is not cached', async () => {
    const { requests, source } = fixture((n) =>
      n === 1
        ? {
            status: 401,
            headers: new Headers(),
            text: JSON.stringify({ error: 'invalid_client', error_description: SECRET }),
          }
        : tokenAnswer('ok', 60),
    );
    const error = await failure(source.token());
    expect(error).toMatchObject({
      code: 'ERR_BACKEND_UNAVAILABLE',
      message: 'OAuth2 token endpoint answered HTTP 401',
    });
    expect(await source.token()).toBe('ok');
    expect(requests).toHaveLength(2);
  });

  it.each([
    ['not JSON', { status: 200, headers: new Headers(), text: '<html>secret-token</html>' }],
    ['no access_token', { status: 200, headers: new Headers(), text: '{"token_type":"Bearer"}' }],
    ['a token that cannot go in a header', tokenAnswer('abc\r\nx-evil: 1', 60)],
    ['a token type other than Bearer', tokenAnswer('secret-token', 60, 'mac')],
  ])('%s → ERR_BACKEND_UNAVAILABLE without the body', async (_name, answer) => {
    const { source } = fixture(() => answer);
    const error = await failure(source.token());
    expect(error.code).toBe('ERR_BACKEND_UNAVAILABLE');
    expect(error.message).not.toContain('secret-token');
  });

  it('a transport failure stays ERR_BACKEND_UNAVAILABLE, retry-safe only when nothing was sent', async () => {
    const refused = retrySafe(
      new HubError('ERR_BACKEND_UNAVAILABLE', 'OAuth2 token endpoint cannot be reached (ECONNREFUSED)'),
    );
    const slow = new HubError('ERR_BACKEND_TIMEOUT', 'OAuth2 token endpoint did not answer within 1000 ms');
    const { source } = fixture((n) => Promise.reject(n === 1 ? refused : slow));
    const first = await failure(source.token());
    expect(first.code).toBe('ERR_BACKEND_UNAVAILABLE');
    expect(isRetrySafe(first)).toBe(true);
    const second = await failure(source.token());
    expect(second).toMatchObject({ code: 'ERR_BACKEND_UNAVAILABLE', message: slow.message });
    expect(isRetrySafe(second)).toBe(false);
  });
});
