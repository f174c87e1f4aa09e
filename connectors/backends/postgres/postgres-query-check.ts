import type { PoolClient, QueryConfig } from 'pg';
import pg from 'pg';
import { HubError } from '../../../lib/errors/hub-error.ts';

/** The query without leading whitespace and comments, to see its first word. */
function skipTrivia(sql: string): string {
  let rest = sql.trimStart();
  while (rest.startsWith('--') || rest.startsWith('/*')) {
    if (rest.startsWith('--')) {
      const end = rest.indexOf('\n');
      rest = end === -1 ? '' : rest.slice(end + 1);
    } else {
      rest = afterBlockComment(rest);
    }
    rest = rest.trimStart();
  }
  return rest;
}

/** The text after a leading block comment; PostgreSQL's block comments nest, unlike C's. */
function afterBlockComment(text: string): string {
  let depth = 0;
  for (let i = 0; i < text.length - 1; i++) {
    const pair = text.slice(i, i + 2);
    if (pair === '/*') depth++;
    else if (pair === '*/') depth--;
    else continue;
    i++;
    if (depth === 0) return text.slice(i + 1);
  }
  return '';
}

/**
 * The configured query as it runs: wrapped so that at most two rows ever
 * leave the database (two are enough to call the answer ambiguous) however
 * wide the query's WHERE turns out to be. A subquery also cannot hold
 * INSERT/UPDATE/DELETE/MERGE, SELECT INTO or a data-modifying WITH, so the
 * server itself refuses those when the query is prepared at open. The line
 * breaks keep a trailing `-- comment` from swallowing the wrapper.
 */
export function boundedQuery(recordType: string, sql: string): string {
  if (!/^(select|with)\b/i.test(skipTrivia(sql))) {
    throw new HubError(
      'ERR_CONFIG_INVALID',
      `postgres backend: the query for ${recordType} must be one SELECT (or WITH … SELECT) statement`,
    );
  }
  // A trailing semicolon is habit, not a second statement.
  const body = sql.replace(/[\s;]+$/, '');
  return `SELECT * FROM (\n${body}\n) AS xhub_record LIMIT 2`;
}

const CHECK_NAME = 'xhub_check';

/**
 * Has the server check the query without running it. PREPARE checks syntax,
 * tables and columns and infers each parameter's type, so
 * pg_prepared_statements shows how many parameters the query really uses; it
 * is sent in the extended protocol, where the server refuses more than one
 * statement, so `…; DELETE …` is never executed, not even here. EXPLAIN (no
 * ANALYZE) then starts the executor without running it, which checks that the
 * role may read every table and call every function the query names.
 */
export async function checkQueryOnServer(
  client: PoolClient,
  recordType: string,
  bounded: string,
): Promise<void> {
  // queryMode is pg's own option, missing from @types/pg.
  const prepare = {
    text: `PREPARE ${CHECK_NAME} AS ${bounded}`,
    values: [],
    queryMode: 'extended',
  } as QueryConfig;
  try {
    await client.query(prepare);
  } catch (error) {
    if (error instanceof pg.DatabaseError) throw refusal(recordType, error.code ?? 'unknown');
    throw error;
  }
  try {
    const { rows } = await client.query<{ parameters: number }>(
      'SELECT cardinality(parameter_types) AS parameters FROM pg_prepared_statements WHERE name = $1',
      [CHECK_NAME],
    );
    const parameters = rows[0]?.parameters ?? 0;
    if (parameters !== 1) {
      throw new HubError(
        'ERR_CONFIG_INVALID',
        `postgres backend: the query for ${recordType} must use $1 (the citizen id) as its only parameter; it has ${parameters} parameters`,
      );
    }
    await client.query(`EXPLAIN EXECUTE ${CHECK_NAME}(NULL)`);
  } catch (error) {
    if (error instanceof pg.DatabaseError) throw refusal(recordType, error.code ?? 'unknown');
    throw error;
  } finally {
    await client.query(`DEALLOCATE ${CHECK_NAME}`);
  }
}

function refusal(recordType: string, sqlState: string): HubError {
  const state = /^[0-9A-Z]{5}$/.test(sqlState) ? sqlState : 'unknown';
  const why: Record<string, string> = {
    '42601': 'is not one valid SELECT statement',
    '0A000': 'must only read (no data-modifying WITH)',
    '42P18': 'must use $1 (the citizen id) as its only parameter',
    '42P02': 'must use $1 (the citizen id) as its only parameter',
    '42P01': 'names a table or view the database does not have',
    '42703': 'names a column the database does not have',
    '42883': 'names a function or operator the database does not have',
    '42501': 'names a table, view or function its role may not use',
  };
  return new HubError(
    'ERR_CONFIG_INVALID',
    `postgres backend: the query for ${recordType} ${why[state] ?? 'is refused by the database'} (SQLSTATE ${state})`,
  );
}
