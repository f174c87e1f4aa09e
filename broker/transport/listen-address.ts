import { isIP } from 'node:net';

/**
 * Whether a `host:port` listen address is loopback only: 127.0.0.0/8, ::1 or
 * localhost. The wildcard addresses (0.0.0.0, ::) and every other host are not,
 * since they are reachable from the network.
 */
export function isLoopbackListen(listen: string): boolean {
  const host = listenHost(listen).toLowerCase();
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.split('.')[0] === '127';
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(host);
  return false;
}

/** The host part of `host:port` or `[v6]:port`. */
export function listenHost(listen: string): string {
  const bracketed = /^\[([^\]]+)\]:\d+$/.exec(listen);
  if (bracketed) return bracketed[1]!;
  return listen.replace(/:\d+$/, '');
}
