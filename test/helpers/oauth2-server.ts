import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { createCertificateAuthority } from '../../lib/tls/certificates.ts';

/** How the protected API answers a resource request, whatever the record. */
export type AgencyApiMode = 'normal' | 'hang' | 'huge' | 'malformed' | '503' | '500';

export interface AgencyApiOptions {
  /** What the resource requires: a bearer token from the token endpoint (default), an `x-api-key`, or nothing. */
  auth?: 'oauth2' | 'api-key' | 'none';
  /** Token lifetime announced in `expires_in` and enforced by the resource, in seconds. */
  tokenLifetimeS?: number;
  /** Mutual TLS: the handshake fails without a client certificate from the test CA. */
  requireClientCert?: boolean;
  /** Records by `recordType/subject`; anything else is a 404. */
  records?: Record<string, Record<string, unknown>>;
}

/** Files a backend config names, written to a temp folder removed by `close()`. */
export interface AgencyApiFiles {
  caFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  clientSecretFile: string;
  wrongSecretFile: string;
  apiKeyFile: string;
  wrongApiKeyFile: string;
}

export interface AgencyApi {
  urlTemplate: string;
  tokenUrl: string;
  clientId: string;
  files: AgencyApiFiles;
  /** The secret written to `files.clientSecretFile`, to check it never leaks into an error. */
  clientSecret: string;
  /** Token requests answered 200, and all resource requests seen. */
  readonly tokensIssued: number;
  readonly resourceRequests: number;
  /** Scope of the last token request. */
  readonly lastScope: string | undefined;
  mode: AgencyApiMode;
  /** Revokes every token issued so far, as an authorization server does after a key rollover. */
  revokeTokens(): void;
  close(): Promise<void>;
}

const TOKEN_PATH = '/oauth2/token';
const HUGE_CHUNK = Buffer.alloc(64 * 1024, 'x');

/**
 * A local HTTPS agency API on 127.0.0.1:0 with its own OAuth2 token endpoint
 * (RFC 6749 s.4.4, client authentication by HTTP Basic as in s.2.3.1), signed
 * by a fresh test CA. The caller registers `close()` as cleanup.
 */
export async function startAgencyApi(options: AgencyApiOptions = {}): Promise<AgencyApi> {
  const ca = await createCertificateAuthority('Test agency CA', 1);
  const server = await ca.issue({
    commonName: 'agency-api',
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
    usage: 'server',
    validDays: 1,
  });
  const client = await ca.issue({ commonName: 'connector-test', usage: 'client', validDays: 1 });
  const dir = await mkdtemp(join(tmpdir(), 'xhub-agency-api-'));
  const clientId = 'xhub-connector';
  const clientSecret = `s3cret-${randomBytes(12).toString('hex')}`;
  const apiKey = `key-${randomBytes(12).toString('hex')}`;
  const files: AgencyApiFiles = {
    caFile: join(dir, 'ca.pem'),
    clientCertFile: join(dir, 'client.pem'),
    clientKeyFile: join(dir, 'client.key'),
    clientSecretFile: join(dir, 'client-secret'),
    wrongSecretFile: join(dir, 'wrong-secret'),
    apiKeyFile: join(dir, 'api-key'),
    wrongApiKeyFile: join(dir, 'wrong-api-key'),
  };
  await Promise.all([
    writeFile(files.caFile, ca.certPem),
    writeFile(files.clientCertFile, client.certPem),
    writeFile(files.clientKeyFile, client.keyPem),
    writeFile(files.clientSecretFile, `${clientSecret}\n`),
    writeFile(files.wrongSecretFile, 'not-the-secret\n'),
    writeFile(files.apiKeyFile, `${apiKey}\n`),
    writeFile(files.wrongApiKeyFile, 'not-the-key\n'),
  ]);

  const auth = options.auth ?? 'oauth2';
  const lifetimeMs = (options.tokenLifetimeS ?? 3600) * 1000;
  const tokens = new Map<string, number>();
  const state = {
    tokensIssued: 0,
    resourceRequests: 0,
    lastScope: undefined as string | undefined,
    mode: 'normal' as AgencyApiMode,
  };

  const issueToken = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const form = new URLSearchParams(body);
    if (!basicMatches(req.headers.authorization, clientId, clientSecret)) {
      return json(
        res,
        401,
        { error: 'invalid_client', error_description: `client ${clientId} failed authentication` },
        { 'www-authenticate': 'Basic realm="agency"' },
      );
    }
    if (form.get('grant_type') !== 'client_credentials')
      return json(res, 400, { error: 'unsupported_grant_type' });
    state.lastScope = form.get('scope') ?? undefined;
    state.tokensIssued += 1;
    const token = randomBytes(24).toString('base64url');
    tokens.set(token, Date.now() + lifetimeMs);
    json(
      res,
      200,
      { access_token: token, token_type: 'Bearer', expires_in: lifetimeMs / 1000 },
      { 'cache-control': 'no-store' },
    );
  };

  const authorised = (req: IncomingMessage): boolean => {
    if (auth === 'none') return true;
    if (auth === 'api-key') return req.headers['x-api-key'] === apiKey;
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const expiresAt = token === undefined ? undefined : tokens.get(token);
    return expiresAt !== undefined && Date.now() < expiresAt;
  };

  const serveResource = (req: IncomingMessage, res: ServerResponse): void => {
    state.resourceRequests += 1;
    if (!authorised(req)) {
      return json(
        res,
        401,
        { error: 'invalid_token', detail: 'the token you sent is not valid' },
        { 'www-authenticate': 'Bearer error="invalid_token"' },
      );
    }
    switch (state.mode) {
      case 'hang':
        return;
      case 'huge':
        return streamHuge(res);
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"firstName": "Som');
        return;
      case '503':
      case '500':
        return json(res, Number(state.mode), { error: 'database connection pool exhausted at db-01' });
      case 'normal': {
        const [, recordType, subject] = /^\/api\/([^/]+)\/([^/?]+)$/.exec(req.url ?? '') ?? [];
        const record =
          options.records?.[`${decodeURIComponent(recordType ?? '')}/${decodeURIComponent(subject ?? '')}`];
        return record ? json(res, 200, record) : json(res, 404, { error: 'no such person' });
      }
    }
  };

  const https: Server = createServer(
    {
      cert: server.certPem,
      key: server.keyPem,
      ca: ca.certPem,
      requestCert: options.requireClientCert ?? false,
      rejectUnauthorized: options.requireClientCert ?? false,
    },
    (req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        if (options.requireClientCert && !(req.socket as TLSSocket).authorized)
          return json(res, 403, { error: 'client certificate required' });
        if (req.method === 'POST' && req.url === TOKEN_PATH) issueToken(req, res, body);
        else serveResource(req, res);
      });
    },
  );
  await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
  const origin = `https://127.0.0.1:${(https.address() as AddressInfo).port}`;

  return {
    urlTemplate: `${origin}/api/{recordType}/{subject}`,
    tokenUrl: `${origin}${TOKEN_PATH}`,
    clientId,
    clientSecret,
    files,
    get tokensIssued() {
      return state.tokensIssued;
    },
    get resourceRequests() {
      return state.resourceRequests;
    },
    get lastScope() {
      return state.lastScope;
    },
    get mode() {
      return state.mode;
    },
    set mode(mode: AgencyApiMode) {
      state.mode = mode;
    },
    revokeTokens: () => tokens.clear(),
    close: async () => {
      https.closeAllConnections();
      await new Promise<void>((resolve) => https.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function basicMatches(header: string | undefined, clientId: string, clientSecret: string): boolean {
  const encoded = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? '')?.[1];
  if (encoded === undefined) return false;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  // RFC 6749 s.2.3.1: both halves are form-encoded.
  const id = new URLSearchParams(`v=${decoded.slice(0, colon)}`).get('v') ?? '';
  const secret = Buffer.from(new URLSearchParams(`v=${decoded.slice(colon + 1)}`).get('v') ?? '');
  const expected = Buffer.from(clientSecret);
  return id === clientId && secret.length === expected.length && timingSafeEqual(secret, expected);
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** 2 MiB, chunked, no content-length: the limit must hold while streaming, not only on a declared length. */
function streamHuge(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{"blob":"');
  let sent = 0;
  const more = (): void => {
    while (sent < 32 && !res.destroyed) {
      sent += 1;
      if (!res.write(HUGE_CHUNK)) return void res.once('drain', more);
    }
    if (!res.destroyed) res.end('"}');
  };
  more();
}
