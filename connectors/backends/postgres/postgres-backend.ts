import pg from 'pg';
import type { PoolClient, QueryResult } from 'pg';
import { HubError } from '../../../lib/errors/hub-error.ts';
import type { Backend, PostgresBackendConfig } from '../backend.types.ts';
import { queryWithin } from './bounded-query.ts';
import type { CancelTarget } from './cancel-request.ts';
import { endpointOf, poolConfig } from './postgres-connection.ts';
import { openError } from './postgres-errors.ts';
import { boundedQuery, checkQueryOnServer } from './postgres-query-check.ts';

/**
 * An agency's PostgreSQL database, usually a reporting view, read with one
 * parameterised query per record type; the citizen id is always the bound
 * parameter $1, never part of the SQL text. Every session is read-only, and
 * one row is the record, none is "not found", more is an error.
 */
export class PostgresBackend implements Backend {
  private readonly pool: pg.Pool;
  private readonly queries: ReadonlyMap<string, string>;
  private readonly cancelTarget: CancelTarget;

  private constructor(pool: pg.Pool, queries: ReadonlyMap<string, string>, cancelTarget: CancelTarget) {
    this.pool = pool;
    this.queries = queries;
    this.cancelTarget = cancelTarget;
  }

  /**
   * Checks the config, connects once and refuses to go on with a superuser
   * role, a session that is not read-only or a query the server does not
   * accept as one SELECT with $1 as its only parameter.
   */
  static async open(config: PostgresBackendConfig): Promise<PostgresBackend> {
    const queries = new Map(
      Object.entries(config.queries).map(([recordType, sql]) => [recordType, boundedQuery(recordType, sql)]),
    );
    const pool = new pg.Pool(await poolConfig(config));
    // An idle connection the server closed (restart, idle timeout) is dropped by
    // the pool and replaced on the next fetch; without a listener it would crash the process.
    pool.on('error', () => undefined);
    try {
      await verify(pool, config, queries);
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PostgresBackend(pool, queries, { host: config.host, port: config.port });
  }

  async fetch(
    recordType: string,
    subject: string,
    timeoutMs: number,
  ): Promise<Record<string, unknown> | undefined> {
    const text = this.queries.get(recordType);
    if (text === undefined) {
      throw new HubError(
        'ERR_UNKNOWN_RECORD_TYPE',
        `postgres backend has no query for record type ${recordType}`,
      );
    }
    // Attacker-influenced: the subject only ever travels as a bound parameter.
    const result = await queryWithin(
      this.pool,
      this.cancelTarget,
      { text, values: [subject], recordType },
      timeoutMs,
    );
    return onlyRow(result, recordType);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function onlyRow(result: QueryResult, recordType: string): Record<string, unknown> | undefined {
  if (result.rows.length > 1) {
    throw new HubError('ERR_BACKEND_AMBIGUOUS', `query for ${recordType} returned more than one row`);
  }
  const names = result.fields.map((field) => field.name);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  // Two columns of one name would silently keep only the last value.
  if (duplicate !== undefined) {
    throw new HubError(
      'ERR_BACKEND_RESPONSE_INVALID',
      `query for ${recordType} returns two columns named ${duplicate}`,
    );
  }
  return result.rows[0] as Record<string, unknown> | undefined;
}

async function verify(
  pool: pg.Pool,
  config: PostgresBackendConfig,
  queries: ReadonlyMap<string, string>,
): Promise<void> {
  const endpoint = endpointOf(config);
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw openError(error, endpoint, config.user);
  }
  try {
    await checkSession(client, config.user);
    for (const [recordType, text] of queries) await checkQueryOnServer(client, recordType, text);
    client.release();
  } catch (error) {
    client.release(true);
    throw openError(error, endpoint, config.user);
  }
}

async function checkSession(client: PoolClient, user: string): Promise<void> {
  const { rows } = await client.query<{ superuser: string; readOnly: string }>(
    `SELECT current_setting('is_superuser') AS superuser, current_setting('transaction_read_only') AS "readOnly"`,
  );
  const session = rows[0];
  // A superuser ignores grants and can undo read-only mode; the connector must hold a role that can only read.
  if (session?.superuser !== 'off') {
    throw new HubError(
      'ERR_CONFIG_INVALID',
      `postgres backend: role ${user} is a superuser; use a role that can only read`,
    );
  }
  // A pooler told to drop startup options (PgBouncer's ignore_startup_parameters) would leave writes possible.
  if (session.readOnly !== 'on') {
    throw new HubError(
      'ERR_CONFIG_INVALID',
      'postgres backend: the session did not start read-only; a pooler between the connector and the database may drop startup options',
    );
  }
}
