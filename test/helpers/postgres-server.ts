import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import {
  access,
  appendFile,
  chmod,
  chown,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  realpath,
  rm,
  writeFile,
} from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { createCertificateAuthority } from '../../lib/tls/certificates.ts';

const run = promisify(execFile);

const SUPERUSER = 'xhub_admin';
/** Members of this group log in over TLS with a client certificate whose CN is their role name. */
const CERT_LOGIN = 'cert_login';
const DEBIAN_BIN_ROOT = '/usr/lib/postgresql';

/** A throwaway PostgreSQL server in a temp folder; `stop()` removes everything it made. */
export interface TestPostgres {
  host: string;
  port: number;
  /** Folder holding the server's unix socket; pass it as `host` to connect through the socket. */
  socketDir: string;
  database: string;
  superuser: string;
  superuserPasswordFile: string;
  /** PEM of the CA that signed the server's certificate (valid for 127.0.0.1 and localhost). */
  caFile: string;
  /** Runs setup SQL as the superuser and returns the rows. */
  sql(text: string, values?: unknown[]): Promise<Record<string, unknown>[]>;
  /** A login role that may read every table (pg_read_all_data) and nothing more; returns its password file. */
  createReadOnlyRole(name: string): Promise<string>;
  /** A read-only role that logs in over TLS with a client certificate instead of a password. */
  createCertificateRole(name: string): Promise<{ certFile: string; keyFile: string }>;
  /** Stops the server but keeps its data, to test a database that went away. */
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
  /** Stops the server and deletes the temp folder; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts a real PostgreSQL server from the distribution's packages: `initdb`
 * into a temp folder, listening on 127.0.0.1 (free port) and on a unix socket
 * inside the folder, TLS offered (a fresh test CA), scram-sha-256 passwords
 * or client certificates. Tuned for speed, not durability (fsync off).
 * Callers register `afterAll(() => pg.stop())`.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const binDir = await findServerBinaries();
  const root = await mkdtemp(join(tmpdir(), 'xhub-pg-'));
  const dataDir = join(root, 'data');
  const socketDir = join(root, 'socket');
  const passwordFile = join(root, 'superuser.password');
  const port = await freePort();
  const asServer = await serverUser(root).catch(async (error: unknown) => {
    await rm(root, { recursive: true, force: true });
    throw error;
  });
  const ca = await createCertificateAuthority('xhub test postgres CA', 2);
  const caFile = join(root, 'ca.crt');
  let running = false;

  const pgCtl = async (...args: string[]): Promise<void> => {
    await asServer(join(binDir, 'pg_ctl'), ['-D', dataDir, '-l', join(root, 'server.log'), ...args]);
  };

  try {
    await mkdir(socketDir);
    await writeFile(passwordFile, `${randomBytes(18).toString('hex')}\n`, { mode: 0o600 });
    const serverCert = await ca.issue({
      commonName: 'localhost',
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
      usage: 'server',
      validDays: 2,
    });
    await writeFile(caFile, ca.certPem);
    await writeFile(join(root, 'server.crt'), serverCert.certPem);
    await writeFile(join(root, 'server.key'), serverCert.keyPem, { mode: 0o600 });
    await asServer.own(root);
    await asServer(join(binDir, 'initdb'), [
      '-D',
      dataDir,
      '-U',
      SUPERUSER,
      `--pwfile=${passwordFile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--no-locale',
      '--no-sync',
    ]);
    await appendFile(join(dataDir, 'postgresql.conf'), serverSettings(port, socketDir, root));
    // First match wins: certificate logins ahead of initdb's password lines.
    const hbaFile = join(dataDir, 'pg_hba.conf');
    await writeFile(
      hbaFile,
      `hostssl all +${CERT_LOGIN} 127.0.0.1/32 cert\n${await readFile(hbaFile, 'utf8')}`,
    );
    await pgCtl('-w', '-t', '30', 'start');
    running = true;
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw new Error('test PostgreSQL server did not start (the cause holds initdb/pg_ctl output)', {
      cause: error,
    });
  }

  const password = (await readFile(passwordFile, 'utf8')).trim();
  const connect = { host: '127.0.0.1', port, database: 'postgres', user: SUPERUSER, password };

  const server: TestPostgres = {
    host: '127.0.0.1',
    port,
    socketDir,
    database: 'postgres',
    superuser: SUPERUSER,
    superuserPasswordFile: passwordFile,
    caFile,
    async sql(text, values) {
      const client = new pg.Client(connect);
      await client.connect();
      try {
        return (await client.query(text, values)).rows as Record<string, unknown>[];
      } finally {
        await client.end();
      }
    },
    async createReadOnlyRole(name) {
      const rolePassword = randomBytes(18).toString('hex');
      // Utility statements take no parameters; the name is checked and the password generated.
      await server.sql(
        `CREATE ROLE ${plainIdentifier(name)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '${rolePassword}'`,
      );
      await server.sql(`GRANT pg_read_all_data TO ${name}`);
      const file = join(root, `${name}.password`);
      await writeFile(file, `${rolePassword}\n`, { mode: 0o600 });
      return file;
    },
    async createCertificateRole(name) {
      await server.sql(
        `DO $$ BEGIN CREATE ROLE ${CERT_LOGIN} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
      );
      await server.sql(
        `CREATE ROLE ${plainIdentifier(name)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE IN ROLE ${CERT_LOGIN}, pg_read_all_data`,
      );
      const issued = await ca.issue({ commonName: name, usage: 'client', validDays: 2 });
      const certFile = join(root, `${name}.crt`);
      const keyFile = join(root, `${name}.key`);
      await writeFile(certFile, issued.certPem);
      await writeFile(keyFile, issued.keyPem, { mode: 0o600 });
      return { certFile, keyFile };
    },
    async stopServer() {
      if (!running) return;
      await pgCtl('-w', '-m', 'fast', 'stop').catch(() => pgCtl('-w', '-m', 'immediate', 'stop'));
      running = false;
    },
    async startServer() {
      if (running) return;
      await pgCtl('-w', '-t', '30', 'start');
      running = true;
    },
    async stop() {
      await server.stopServer().catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
  return server;
}

function plainIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`role name ${name} is not a plain identifier`);
  return name;
}

function serverSettings(port: number, socketDir: string, root: string): string {
  return [
    '',
    '# xhub test server: loopback only, fast and disposable',
    `port = ${port}`,
    "listen_addresses = '127.0.0.1'",
    `unix_socket_directories = '${socketDir}'`,
    'max_connections = 40',
    'shared_buffers = 16MB',
    'fsync = off',
    'synchronous_commit = off',
    'full_page_writes = off',
    "log_min_messages = 'warning'",
    'ssl = on',
    `ssl_cert_file = '${join(root, 'server.crt')}'`,
    `ssl_key_file = '${join(root, 'server.key')}'`,
    `ssl_ca_file = '${join(root, 'ca.crt')}'`,
    '',
  ].join('\n');
}

/** `initdb`, `pg_ctl` and `postgres` from one installation: PATH first, then Debian's versioned folders. */
async function findServerBinaries(): Promise<string> {
  const candidates = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const debianVersions = await readdir(DEBIAN_BIN_ROOT).catch(() => [] as string[]);
  debianVersions.sort((a, b) => Number(b) - Number(a));
  candidates.push(...debianVersions.map((v) => join(DEBIAN_BIN_ROOT, v, 'bin')));
  for (const dir of candidates) {
    const initdb = join(dir, 'initdb');
    if (!(await executable(initdb))) continue;
    // PATH may hold symlinks (Debian's /usr/local/bin shims): the server binaries sit beside the real initdb.
    const realDir = dirname(await realpath(initdb));
    if ((await executable(join(realDir, 'pg_ctl'))) && (await executable(join(realDir, 'postgres'))))
      return realDir;
  }
  throw new Error(
    'PostgreSQL server binaries (initdb, pg_ctl, postgres) are not on PATH nor in /usr/lib/postgresql/*/bin: ' +
      'install the Debian package `postgresql` (apt-get install postgresql); .ci/run installs it when missing',
  );
}

async function executable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}

type ServerRunner = ((file: string, args: string[]) => Promise<void>) & { own(path: string): Promise<void> };

/**
 * initdb and postgres refuse to run as root. As root, commands run as the
 * `postgres` user the Debian package creates (else `nobody`), through runuser or
 * setpriv, and the temp folder is handed to that user.
 */
async function serverUser(root: string): Promise<ServerRunner> {
  if (process.getuid?.() !== 0) {
    const direct = async (file: string, args: string[]): Promise<void> => {
      await run(file, args);
    };
    return Object.assign(direct, { own: async () => undefined });
  }
  const user = (await userIds('postgres')) ?? (await userIds('nobody'));
  if (!user)
    throw new Error(
      'running as root, but neither the `postgres` nor the `nobody` user exists to run the server',
    );
  const hasRunuser = await executable('/usr/sbin/runuser').then((yes) => yes || executable('/sbin/runuser'));
  const runAs = async (file: string, args: string[]): Promise<void> => {
    if (hasRunuser) await run('runuser', ['-u', user.name, '--', file, ...args], { cwd: root });
    else
      await run(
        'setpriv',
        [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--', file, ...args],
        { cwd: root },
      );
  };
  const own = async (path: string): Promise<void> => {
    await chown(path, user.uid, user.gid);
    await chmod(path, 0o700);
    for (const entry of await readdir(path)) await chown(join(path, entry), user.uid, user.gid);
  };
  return Object.assign(runAs, { own });
}

async function userIds(name: string): Promise<{ name: string; uid: number; gid: number } | undefined> {
  try {
    const uid = Number((await run('id', ['-u', name])).stdout.trim());
    const gid = Number((await run('id', ['-g', name])).stdout.trim());
    return { name, uid, gid };
  } catch {
    return undefined;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
