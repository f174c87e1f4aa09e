import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresBackendConfig } from '../../connectors/backends/backend.types.ts';
import { PostgresBackend } from '../../connectors/backends/postgres/postgres-backend.ts';
import { isRetrySafe } from '../../connectors/backends/retry-safety.ts';
import { isHubError, type HubError } from '../../lib/errors/hub-error.ts';
import { createCertificateAuthority } from '../../lib/tls/certificates.ts';
import { startPostgres, type TestPostgres } from '../helpers/postgres-server.ts';

const PERSON = 'dopa.civil-registration.person';
const SLOW = 'dopa.test.slow';
const WRITES = 'dopa.test.writes';
const SOMCHAI = '1101700203451';
/** Two rows in the agency's table: a data-quality fault the consumer must hear about. */
const DUPLICATED = '3100600123456';
const NOBODY = '1999999999999';
const READER = 'agency_reader';

const QUERIES: Record<string, string> = {
  // The trailing semicolon is how people write SQL; it must not count as a second statement.
  [PERSON]:
    'SELECT citizen_id, title_th, first_name_th, last_name_th, birth_date_be, birth_date, registered_at, updated_at, ' +
    'house_no, land_area_rai, photo, extra FROM registry.v_person WHERE citizen_id = $1;',
  [SLOW]:
    'SELECT p.citizen_id, (SELECT 1 FROM pg_sleep(10)) AS slept FROM registry.v_person p WHERE p.citizen_id = $1',
  [WRITES]: 'SELECT registry.log_access($1) AS logged',
  'dopa.test.huge-int8': 'SELECT 9007199254740993::int8 AS n WHERE $1::text IS NOT NULL',
  'dopa.test.not-a-number': "SELECT 'NaN'::float8 AS x WHERE $1::text IS NOT NULL",
};

/** Written by the server, never to be passed on: in the message or as a logged cause. */
const SERVER_TEXT =
  /canceling statement|read-only transaction|syntax error|authentication failed|more than one row returned|ECONNREFUSED 127|does not support SSL/i;
const SQL_TEXT = /registry\.|pg_sleep|\bfrom\b|\bdelete\b|\bupdate\b/i;

let server: TestPostgres;
let readerPasswordFile: string;
let scratch: string;
let backend: PostgresBackend;
const opened: PostgresBackend[] = [];

function configFor(overrides: Partial<PostgresBackendConfig> = {}): PostgresBackendConfig {
  return {
    type: 'postgres',
    host: server.host,
    port: server.port,
    database: server.database,
    user: READER,
    passwordFile: readerPasswordFile,
    sslMode: 'disable',
    statementTimeoutMs: 5_000,
    poolSize: 4,
    queries: QUERIES,
    ...overrides,
  };
}

async function open(overrides: Partial<PostgresBackendConfig> = {}): Promise<PostgresBackend> {
  const opening = await PostgresBackend.open(configFor(overrides));
  opened.push(opening);
  return opening;
}

/** The HubError a promise fails with, checked for everything a consumer or a log must never see. */
async function failure(promise: Promise<unknown>, secrets: string[] = []): Promise<HubError> {
  const error = await promise.then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  );
  expect(isHubError(error), String(error)).toBe(true);
  const hubError = error as HubError;
  for (const secret of [SOMCHAI, DUPLICATED, ...secrets]) expect(hubError.message).not.toContain(secret);
  expect(hubError.message).not.toMatch(SERVER_TEXT);
  expect(hubError.message).not.toMatch(SQL_TEXT);
  expect(hubError.cause).toBeUndefined();
  return hubError;
}

async function activeSleeps(): Promise<number> {
  const rows = await server.sql(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1 AND state = 'active' AND query LIKE '%pg_sleep%'",
    [READER],
  );
  return rows[0]?.n as number;
}

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  server = await startPostgres();
  scratch = await mkdtemp(join(tmpdir(), 'xhub-pg-test-'));
  await server.sql(`
    CREATE SCHEMA registry;
    CREATE TABLE registry.person (
      citizen_id text NOT NULL, title_th text, first_name_th text, last_name_th text,
      birth_date_be text, birth_date date, registered_at timestamptz, updated_at timestamp,
      house_no int8, land_area_rai numeric(10, 2), photo bytea, extra jsonb
    );
    INSERT INTO registry.person VALUES
      ('${SOMCHAI}', 'นาย', 'สมชาย', 'ใจดี', '2530-05-12', '1987-05-12', '2024-03-15 10:20:30.123456+07',
       '2024-03-15 10:20:30', 10250012345, 12.50, '\\x89504e47', '{"provinceCode": "10"}'),
      ('${DUPLICATED}', 'นาง', 'สมหญิง', 'รักไทย', '2510-01-01', '1967-01-01', NULL, NULL, NULL, NULL, NULL, NULL),
      ('${DUPLICATED}', 'นาง', 'สมหญิง', 'รักไทย', '2510-01-01', '1967-01-01', NULL, NULL, NULL, NULL, NULL, NULL);
    CREATE VIEW registry.v_person AS SELECT * FROM registry.person;
    CREATE TABLE registry.access_log (citizen_id text NOT NULL);
    -- Owned by the superuser: only the read-only session, not a missing grant, can stop its write.
    CREATE FUNCTION registry.log_access(id text) RETURNS boolean LANGUAGE sql SECURITY DEFINER
      AS $$ INSERT INTO registry.access_log VALUES (id); SELECT true $$;
    CREATE FUNCTION registry.staff_only(id text) RETURNS text LANGUAGE plpgsql AS $$ BEGIN RETURN id; END $$;
    REVOKE EXECUTE ON FUNCTION registry.staff_only(text) FROM PUBLIC;
  `);
  readerPasswordFile = await server.createReadOnlyRole(READER);
  // A DBA's per-role defaults, as found on site: the backend's own session settings must win over them.
  await server.sql(`
    ALTER ROLE ${READER} SET DateStyle = 'SQL, DMY';
    ALTER ROLE ${READER} SET TimeZone = 'Asia/Bangkok';
    ALTER ROLE ${READER} SET default_transaction_read_only = off;
  `);
  backend = await open();
});

afterAll(async () => {
  await Promise.all(opened.map((b) => b.close()));
  await server?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('PostgresBackend against a real PostgreSQL server', () => {
  it('returns the one row as plain JSON: dates as stored, timestamps in ISO 8601, bytea as base64', async () => {
    expect(await backend.fetch(PERSON, SOMCHAI, 5_000)).toEqual({
      citizen_id: SOMCHAI,
      title_th: 'นาย',
      first_name_th: 'สมชาย',
      last_name_th: 'ใจดี',
      birth_date_be: '2530-05-12',
      birth_date: '1987-05-12',
      registered_at: '2024-03-15T03:20:30.123456Z',
      updated_at: '2024-03-15T10:20:30',
      house_no: 10250012345,
      land_area_rai: '12.50',
      photo: Buffer.from('89504e47', 'hex').toString('base64'),
      extra: { provinceCode: '10' },
    });
    // The conversions belong to this pool only: pg's process-wide parsers are untouched.
    expect(pg.types.getTypeParser(1082, 'text')('2024-01-02')).toBeInstanceOf(Date);
  });

  it('answers undefined when the agency holds no such person', async () => {
    expect(await backend.fetch(PERSON, NOBODY, 5_000)).toBeUndefined();
  });

  it('calls two rows for one citizen id ambiguous', async () => {
    const error = await failure(backend.fetch(PERSON, DUPLICATED, 5_000));
    expect(error.code).toBe('ERR_BACKEND_AMBIGUOUS');
    expect(error.message).toBe(`query for ${PERSON} returned more than one row`);
  });

  it('refuses a record type it has no query for', async () => {
    expect((await failure(backend.fetch('dopa.house-registration.house', SOMCHAI, 5_000))).code).toBe(
      'ERR_UNKNOWN_RECORD_TYPE',
    );
  });

  it('binds a malicious subject as a value, never as SQL', async () => {
    const attacks = [
      `' OR '1'='1`,
      `${SOMCHAI}' OR 'x'='x`,
      `${SOMCHAI}'; DROP TABLE registry.person; --`,
      `$1`,
    ];
    for (const subject of attacks) expect(await backend.fetch(PERSON, subject, 5_000)).toBeUndefined();
    expect(await server.sql('SELECT count(*)::int AS n FROM registry.person')).toEqual([{ n: 3 }]);
  });

  it('runs every query read-only: a SELECT calling a function that writes is a backend fault', async () => {
    const error = await failure(backend.fetch(WRITES, SOMCHAI, 5_000));
    expect(error.code).toBe('ERR_BACKEND_FAULT');
    expect(error.message).toContain('SQLSTATE 25006');
    expect(isRetrySafe(error)).toBe(false);
    expect(await server.sql('SELECT count(*)::int AS n FROM registry.access_log')).toEqual([{ n: 0 }]);
  });

  it('refuses values JSON cannot hold exactly, and keeps serving', async () => {
    expect((await failure(backend.fetch('dopa.test.huge-int8', SOMCHAI, 5_000))).code).toBe(
      'ERR_BACKEND_RESPONSE_INVALID',
    );
    expect((await failure(backend.fetch('dopa.test.not-a-number', SOMCHAI, 5_000))).code).toBe(
      'ERR_BACKEND_RESPONSE_INVALID',
    );
    expect(await backend.fetch(PERSON, SOMCHAI, 5_000)).toMatchObject({ citizen_id: SOMCHAI });
  });

  it('reads Thai text from a legacy WIN874 (TIS-620) database as UTF-8', async () => {
    await server.sql(
      "CREATE DATABASE legacy ENCODING 'WIN874' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0",
    );
    await server.sql(`GRANT CONNECT ON DATABASE legacy TO ${READER}`);
    // Built on the server from WIN874 bytes (สมชาย), so the query text itself stays ASCII.
    const legacy = await open({
      database: 'legacy',
      queries: {
        [PERSON]:
          "SELECT convert_from('\\xcac1aad2c2'::bytea, 'WIN874') AS name_th WHERE $1::text IS NOT NULL",
      },
    });
    expect(await legacy.fetch(PERSON, SOMCHAI, 5_000)).toEqual({ name_th: 'สมชาย' });
  });

  it('reaches the database through its unix socket', async () => {
    const overSocket = await open({ host: server.socketDir });
    expect(await overSocket.fetch(PERSON, SOMCHAI, 5_000)).toMatchObject({ first_name_th: 'สมชาย' });
  });
});

describe('time limits', () => {
  it('statement_timeout cancels a slow query on the server; the next request is served', async () => {
    const limited = await open({ statementTimeoutMs: 300, poolSize: 1 });
    const started = performance.now();
    const error = await failure(limited.fetch(SLOW, SOMCHAI, 5_000));
    expect(error.code).toBe('ERR_BACKEND_TIMEOUT');
    expect(isRetrySafe(error)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(await activeSleeps()).toBe(0);
    expect(await limited.fetch(PERSON, SOMCHAI, 5_000)).toMatchObject({ citizen_id: SOMCHAI });
  });

  it("a request's shorter deadline fails on time and cancels the query on the server, not just abandons it", async () => {
    // One connection: the next request can only be served once the cancelled one has let go of it.
    const patient = await open({ statementTimeoutMs: 60_000, poolSize: 1 });
    const started = performance.now();
    const error = await failure(patient.fetch(SLOW, SOMCHAI, 400));
    const elapsed = performance.now() - started;
    expect(error.code).toBe('ERR_BACKEND_TIMEOUT');
    expect(elapsed).toBeGreaterThanOrEqual(390);
    expect(elapsed).toBeLessThan(600);
    // pg_sleep(10) would run on for ten seconds if the query were only abandoned.
    await expect.poll(activeSleeps, { timeout: 2_000, interval: 50 }).toBe(0);
    expect(await patient.fetch(PERSON, SOMCHAI, 5_000)).toMatchObject({ citizen_id: SOMCHAI });
  });
});

describe('refusals at open', () => {
  const BAD = 'dopa.test.bad';
  const refused: [string, string][] = [
    ['a DELETE', 'DELETE FROM registry.person WHERE citizen_id = $1'],
    ['an UPDATE', "UPDATE registry.person SET first_name_th = 'x' WHERE citizen_id = $1"],
    [
      'two statements',
      'SELECT citizen_id FROM registry.v_person WHERE citizen_id = $1; DELETE FROM registry.person',
    ],
    // Balances the wrapper's parenthesis so the wrapped text is three valid statements.
    [
      'two statements shaped to fit the wrapper',
      'SELECT 1 AS x WHERE $1::text IS NOT NULL) AS q; DELETE FROM registry.person; SELECT * FROM (SELECT 1 AS x',
    ],
    [
      'a data-modifying WITH',
      'WITH gone AS (DELETE FROM registry.person RETURNING citizen_id) SELECT citizen_id FROM gone WHERE citizen_id = $1',
    ],
    ['SELECT INTO', 'SELECT * INTO registry.copy FROM registry.person WHERE citizen_id = $1'],
    ['no $1', 'SELECT citizen_id FROM registry.v_person'],
    [
      'a second parameter',
      'SELECT citizen_id FROM registry.v_person WHERE citizen_id = $1 OR citizen_id = $2',
    ],
    ['$2 without $1', 'SELECT citizen_id FROM registry.v_person WHERE citizen_id = $2'],
    ['a missing view', 'SELECT citizen_id FROM registry.v_nobody WHERE citizen_id = $1'],
    ['a function its role may not call', 'SELECT registry.staff_only($1) AS s'],
  ];

  it.each(refused)('refuses %s as ERR_CONFIG_INVALID naming the record type', async (_, sql) => {
    const error = await failure(
      PostgresBackend.open(configFor({ queries: { [PERSON]: QUERIES[PERSON]!, [BAD]: sql } })),
    );
    expect(error.code).toBe('ERR_CONFIG_INVALID');
    expect(error.message).toContain(`query for ${BAD}`);
  });

  it('left the data untouched while refusing', async () => {
    expect(await server.sql('SELECT count(*)::int AS n FROM registry.person')).toEqual([{ n: 3 }]);
    expect(await server.sql("SELECT to_regclass('registry.copy') AS t")).toEqual([{ t: null }]);
  });

  it('refuses a superuser role', async () => {
    const error = await failure(
      PostgresBackend.open(configFor({ user: server.superuser, passwordFile: server.superuserPasswordFile })),
    );
    expect(error.code).toBe('ERR_CONFIG_INVALID');
    expect(error.message).toMatch(/superuser/);
  });

  it('refuses sslMode disable towards a host that is not loopback, before connecting', async () => {
    const error = await failure(PostgresBackend.open(configFor({ host: '192.0.2.10', sslMode: 'disable' })));
    expect(error.code).toBe('ERR_CONFIG_INVALID');
  });

  it('requires verified TLS by default (the test CA is in no system store), never clear text', async () => {
    const { sslMode: _, ...withoutSslMode } = configFor();
    const error = await failure(PostgresBackend.open(withoutSslMode));
    expect(error.code).toBe('ERR_BACKEND_UNAVAILABLE');
  });

  it('reports a wrong password as unavailable, naming the role but not the password', async () => {
    const wrong = join(scratch, 'wrong.password');
    await writeFile(wrong, 'not-the-password\n');
    const error = await failure(PostgresBackend.open(configFor({ passwordFile: wrong })), [
      'not-the-password',
    ]);
    expect(error.code).toBe('ERR_BACKEND_UNAVAILABLE');
    expect(error.message).toContain(`role ${READER}`);
    expect(error.message).toContain('SQLSTATE 28P01');
  });

  it('reports a database it cannot reach as unavailable with host:port', async () => {
    const port = await closedPort();
    const error = await failure(PostgresBackend.open(configFor({ port })));
    expect(error.code).toBe('ERR_BACKEND_UNAVAILABLE');
    expect(error.message).toContain(`127.0.0.1:${port}`);
  });
});

describe('TLS', () => {
  it('verifies the server against tls.caFile and reads over TLS', async () => {
    const overTls = await open({ sslMode: 'require', tls: { caFile: server.caFile } });
    expect(await overTls.fetch(PERSON, SOMCHAI, 5_000)).toMatchObject({ citizen_id: SOMCHAI });
  });

  it('refuses a server its CA did not sign', async () => {
    const otherCa = join(scratch, 'other-ca.crt');
    await writeFile(otherCa, (await createCertificateAuthority('someone else', 1)).certPem);
    const error = await failure(
      PostgresBackend.open(configFor({ sslMode: 'require', tls: { caFile: otherCa } })),
    );
    expect(error.code).toBe('ERR_BACKEND_UNAVAILABLE');
    expect(error.message).toMatch(/TLS/);
  });

  it('logs in with a client certificate instead of a password (mutual TLS)', async () => {
    const { certFile, keyFile } = await server.createCertificateRole('agency_cert');
    const mutual = { user: 'agency_cert', passwordFile: undefined, sslMode: 'require' as const };
    const withCert = await open({ ...mutual, tls: { caFile: server.caFile, certFile, keyFile } });
    expect(await withCert.fetch(PERSON, SOMCHAI, 5_000)).toMatchObject({ citizen_id: SOMCHAI });
    const error = await failure(
      PostgresBackend.open(configFor({ ...mutual, tls: { caFile: server.caFile } })),
    );
    expect(error.code).toBe('ERR_BACKEND_UNAVAILABLE');
  });

  it("cancels a TLS session's query on the server at the deadline", async () => {
    const overTls = await open({
      sslMode: 'require',
      tls: { caFile: server.caFile },
      statementTimeoutMs: 60_000,
      poolSize: 1,
    });
    expect((await failure(overTls.fetch(SLOW, SOMCHAI, 300))).code).toBe('ERR_BACKEND_TIMEOUT');
    await expect.poll(activeSleeps, { timeout: 2_000, interval: 50 }).toBe(0);
    expect(await overTls.fetch(PERSON, SOMCHAI, 5_000)).toMatchObject({ citizen_id: SOMCHAI });
  });
});

// Last: stops the shared server, then starts it again.
describe('a database that goes away', () => {
  it('answers ERR_BACKEND_UNAVAILABLE, safe to retry, while stopped and serves again once it is back', async () => {
    expect(await backend.fetch(PERSON, SOMCHAI, 5_000)).toBeDefined();
    await server.stopServer();
    const error = await failure(backend.fetch(PERSON, SOMCHAI, 5_000));
    expect(error.code).toBe('ERR_BACKEND_UNAVAILABLE');
    expect(isRetrySafe(error)).toBe(true);
    await server.startServer();
    expect(await backend.fetch(PERSON, SOMCHAI, 5_000)).toMatchObject({ citizen_id: SOMCHAI });
  });
});
