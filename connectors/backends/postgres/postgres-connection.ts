import { readFile } from 'node:fs/promises';
import { BlockList, isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { PoolConfig } from 'pg';
import { HubError } from '../../../lib/errors/hub-error.ts';
import type { BackendTlsConfig, PostgresBackendConfig } from '../backend.types.ts';
import { POSTGRES_TYPES } from './postgres-types.ts';

export const DEFAULT_POOL_SIZE = 10;
/** One connection's TCP, TLS and authentication; longer counts as unavailable. */
export const CONNECT_TIMEOUT_MS = 10_000;
/** Idle connections are closed after this, so a quiet connector holds few sessions on the agency's database. */
const IDLE_TIMEOUT_MS = 30_000;

/**
 * Session settings sent in the startup packet, so they hold from the first
 * statement without an extra round trip: read-only transactions (a second guard
 * after the role's own grants), UTF-8 whatever the database's encoding (Thai
 * systems still run TIS-620/WIN874 databases; pg asks for UTF8 too, this
 * keeps it in writing), and the text forms that postgres-types.ts parses.
 * Startup settings outrank a DBA's ALTER ROLE/DATABASE SET.
 */
const SESSION_SETTINGS = [
  'default_transaction_read_only=on',
  'client_encoding=UTF8',
  'DateStyle=ISO',
  'TimeZone=UTC',
  'IntervalStyle=iso_8601',
  'bytea_output=hex',
];

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Where the database is, for messages to the operator: never the password. */
export function endpointOf(config: Pick<PostgresBackendConfig, 'host' | 'port'>): string {
  return isUnixSocket(config.host)
    ? `${config.host}/.s.PGSQL.${config.port}`
    : `${config.host}:${config.port}`;
}

/** The pool's options from the backend config; reads the password and TLS files once, here. */
export async function poolConfig(config: PostgresBackendConfig): Promise<PoolConfig> {
  const sslMode = config.sslMode ?? 'require';
  checkTransport(config.host, sslMode);
  return {
    host: config.host,
    port: config.port,
    database: config.database,
    user: config.user,
    // Without a file, pg falls back to PGPASSWORD or ~/.pgpass, as libpq does (or a client certificate).
    ...(config.passwordFile === undefined ? {} : { password: await readPassword(config.passwordFile) }),
    ssl: sslMode === 'require' ? await tlsOptions(config.tls) : false,
    max: config.poolSize ?? DEFAULT_POOL_SIZE,
    statement_timeout: config.statementTimeoutMs,
    options: SESSION_SETTINGS.map((setting) => `-c ${setting}`).join(' '),
    application_name: 'xhub-connector',
    types: POSTGRES_TYPES,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: IDLE_TIMEOUT_MS,
    keepAlive: true,
  };
}

/** A unix socket is named by its directory, as libpq does. */
export function isUnixSocket(host: string): boolean {
  return host.startsWith('/');
}

export function isLoopback(host: string): boolean {
  if (isUnixSocket(host) || host.toLowerCase() === 'localhost') return true;
  const address = host.replace(/^\[(.*)\]$/, '$1');
  const family = isIP(address);
  return family !== 0 && LOOPBACK.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

function checkTransport(host: string, sslMode: 'disable' | 'require'): void {
  // Citizen records in clear text across a network are a PDPA s.37 security failure waiting to happen.
  if (sslMode === 'disable' && !isLoopback(host)) {
    throw new HubError(
      'ERR_CONFIG_INVALID',
      `postgres backend: sslMode disable is allowed only for a loopback host or a unix socket, not ${host}`,
    );
  }
  if (sslMode === 'require' && isUnixSocket(host)) {
    throw new HubError(
      'ERR_CONFIG_INVALID',
      'postgres backend: PostgreSQL has no TLS over a unix socket; set sslMode disable for a socket',
    );
  }
}

async function tlsOptions(tls: BackendTlsConfig | undefined): Promise<ConnectionOptions> {
  if ((tls?.certFile === undefined) !== (tls?.keyFile === undefined)) {
    throw new HubError(
      'ERR_CONFIG_INVALID',
      'postgres backend: tls.certFile and tls.keyFile must be given together',
    );
  }
  return {
    // Verify the chain and the host name (libpq's verify-full): a database that cannot prove itself gets no citizen ids.
    rejectUnauthorized: true,
    ...(tls?.caFile === undefined ? {} : { ca: await readConfigFile(tls.caFile, 'tls.caFile') }),
    ...(tls?.certFile === undefined ? {} : { cert: await readConfigFile(tls.certFile, 'tls.certFile') }),
    ...(tls?.keyFile === undefined ? {} : { key: await readConfigFile(tls.keyFile, 'tls.keyFile') }),
  };
}

async function readPassword(file: string): Promise<string> {
  const password = (await readConfigFile(file, 'passwordFile')).replace(/\r?\n$/, '');
  if (password === '') throw new HubError('ERR_CONFIG_INVALID', 'postgres backend: passwordFile is empty');
  return password;
}

async function readConfigFile(file: string, key: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new HubError('ERR_CONFIG_INVALID', `postgres backend: cannot read ${key} ${file} (${reason})`);
  }
}
