import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { HubError } from '../errors/hub-error.ts';
import type { Logger } from '../log.ts';
import { ADMIN_OFF, type AdminListenSettings } from './admin-listen.ts';
import { failedChecks, runReadinessChecks, type ReadinessCheck } from './readiness.ts';


export interface AdminServer {
  port: number;
  close(): Promise<void>;
}

/** The admin listener as configured, or none when adminListen is `off`. */
export function startAdminListener(
  settings: AdminListenSettings,
  registry: Registry,
  checks: Readonly<Record<string, ReadinessCheck>>,
  log: Logger,
): Promise<AdminServer | undefined> {
  return settings.adminListen === ADMIN_OFF
    ? Promise.resolve(undefined)
    : startAdminServer(settings.adminListen, registry, checks, log);
}

/**
 * The operator's HTTP listener (node:http, no framework): Prometheus text on
 * /metrics, liveness on /healthz (the process answers), readiness on /readyz
 * (200 only when every named check passes; otherwise 503 with a JSON body
 * naming each failed check and why). Nothing here reads a request body or
 * serves personal data.
 */
export async function startAdminServer(
  listen: string,
  registry: Registry,
  checks: Readonly<Record<string, ReadinessCheck>>,
  log: Logger,
): Promise<AdminServer> {
  const server = createServer((req, res) => {
    void route(req, res, registry, checks).catch((error: unknown) => {
      log.error({ err: error, path: req.url }, 'admin request failed');
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy();
    });
  });
  // Probes and scrapes are short: an idle keep-alive socket must not hold stop() up.
  server.keepAliveTimeout = 5_000;
  const { host, port } = splitListen(listen);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause: Error) =>
      reject(
        new HubError('ERR_CONFIG_INVALID', `admin listener cannot listen on ${listen}: ${cause.message}`, {
          cause,
        }),
      ),
    );
    server.listen({ host, port }, resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  log.info({ host, port: bound }, 'admin listener serving /metrics, /healthz, /readyz');
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function route(
  req: IncomingMessage,
  res: ServerResponse,
  registry: Registry,
  checks: Readonly<Record<string, ReadinessCheck>>,
): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
  switch (path) {
    case '/metrics':
      return send(res, 200, registry.contentType, await registry.metrics());
    case '/healthz':
      return send(res, 200, 'application/json', JSON.stringify({ status: 'alive' }) + '\n');
    case '/readyz': {
      const results = await runReadinessChecks(checks);
      const failed = failedChecks(results);
      const body = { ready: failed.length === 0, ...(failed.length > 0 ? { failed } : {}), checks: results };
      return send(res, failed.length === 0 ? 200 : 503, 'application/json', JSON.stringify(body) + '\n');
    }
    default:
      return send(res, 404, 'text/plain; charset=utf-8', 'not found: /metrics, /healthz, /readyz\n');
  }
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body);
}

/** host and port of `host:port` or `[v6]:port`. */
function splitListen(listen: string): { host: string; port: number } {
  const at = listen.lastIndexOf(':');
  return { host: listen.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(listen.slice(at + 1)) };
}
