import { HubError } from '../errors/hub-error.ts';
import { isLoopbackHost } from '../net/loopback.ts';

/** The admin listener's config keys, shared by node and connector. */
export interface AdminListenSettings {
  /**
   * host:port of the admin HTTP listener (/metrics, /healthz, /readyz), or
   * `off`. Port 0 picks a free port. Loopback unless adminAllowRemote.
   */
  adminListen: string;
  /** Let adminListen be a non-loopback address (for a Prometheus on another host). */
  adminAllowRemote: boolean;
}

/** The value of adminListen that turns the listener off. */
export const ADMIN_OFF = 'off';

/** JSON Schema properties of the admin keys, for the node's and connector's config schemas. */
export const ADMIN_LISTEN_PROPERTIES = {
  adminListen: { type: 'string', pattern: '^(off|(\\[[0-9A-Fa-f:.]+\\]|[^:\\s]+):\\d{1,5})$' },
  adminAllowRemote: { type: 'boolean' },
} as const;

export const ADMIN_LISTEN_ENV = {
  adminListen: { env: 'XHUB_ADMIN_LISTEN' },
  adminAllowRemote: { env: 'XHUB_ADMIN_ALLOW_REMOTE', parse: 'bool' },
} as const;

/**
 * The admin listener serves no personal data (metrics labels are codes,
 * methods and agency ids), but it is unauthenticated plaintext HTTP: it binds
 * to loopback unless the operator says otherwise, so a scrape from another
 * host is a decision, not an accident.
 */
export function checkAdminListen(settings: AdminListenSettings, who: string): void {
  if (settings.adminListen === ADMIN_OFF || settings.adminAllowRemote) return;
  const host = settings.adminListen.replace(/:\d+$/, '');
  if (!isLoopbackHost(host)) {
    throw new HubError(
      'ERR_CONFIG_INVALID',
      `invalid ${who} config:\n  adminListen (env XHUB_ADMIN_LISTEN): ${settings.adminListen} is not a loopback address; the admin listener is unauthenticated HTTP: set adminAllowRemote (env XHUB_ADMIN_ALLOW_REMOTE) to serve it there, or use off`,
    );
  }
}
