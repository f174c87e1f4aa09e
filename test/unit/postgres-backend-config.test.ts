import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { isLoopback } from '../../connectors/backends/postgres/postgres-connection.ts';
import { postgresBackendSchema } from '../../connectors/backends/postgres/postgres-config-schema.ts';
import { boundedQuery } from '../../connectors/backends/postgres/postgres-query-check.ts';
import { isoTimestamp, POSTGRES_TYPES } from '../../connectors/backends/postgres/postgres-types.ts';

const validate = new Ajv({ allErrors: true, strict: true }).compile(postgresBackendSchema);

const valid = {
  type: 'postgres',
  host: 'registry-db.dopa.internal',
  port: 5432,
  database: 'registry',
  user: 'xhub_reader',
  passwordFile: '/run/secrets/registry-db.password',
  sslMode: 'require',
  tls: { caFile: '/etc/xhub/agency-ca.pem' },
  statementTimeoutMs: 3_000,
  poolSize: 8,
  queries: { 'dopa.civil-registration.person': 'SELECT * FROM v_person WHERE citizen_id = $1' },
  maxConcurrency: 32,
  retries: 2,
  retryBackoffMs: 50,
  breakerFailureThreshold: 5,
  breakerResetMs: 10_000,
};

describe('postgresBackendSchema', () => {
  it('accepts a complete config', () => {
    expect(validate(valid), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each([
    ['an unknown key', { ...valid, password: 'secret' }],
    ['no queries', { ...valid, queries: {} }],
    ['a query for a malformed record type id', { ...valid, queries: { Person: 'SELECT 1' } }],
    ['sslMode prefer', { ...valid, sslMode: 'prefer' }],
    ['a client certificate without its key', { ...valid, tls: { certFile: '/etc/xhub/client.pem' } }],
    ['a zero statement timeout', { ...valid, statementTimeoutMs: 0 }],
    ['six retries', { ...valid, retries: 6 }],
    ['a breaker reset under 100 ms', { ...valid, breakerResetMs: 99 }],
    ['a fractional pool size', { ...valid, poolSize: 2.5 }],
  ])('refuses %s', (_, config) => {
    expect(validate(config)).toBe(false);
  });
});

describe('loopback hosts, where sslMode disable is allowed', () => {
  it.each(['127.0.0.1', '127.8.9.10', '::1', '[::1]', 'localhost', '/var/run/postgresql'])(
    '%s is loopback',
    (host) => {
      expect(isLoopback(host)).toBe(true);
    },
  );
  it.each(['10.0.0.5', '128.0.0.1', 'db.internal', '::2', 'localhost.evil.example'])('%s is not', (host) => {
    expect(isLoopback(host)).toBe(false);
  });
});

describe('query shape', () => {
  it('wraps the query so at most two rows come back, dropping a trailing semicolon', () => {
    expect(boundedQuery('a.b', 'SELECT x FROM v WHERE id = $1; \n')).toBe(
      'SELECT * FROM (\nSELECT x FROM v WHERE id = $1\n) AS xhub_record LIMIT 2',
    );
  });
  it('looks past leading comments, nested block comments included', () => {
    expect(() =>
      boundedQuery(
        'a.b',
        '-- person\n/* outer /* inner */ still */ with p AS (SELECT 1) SELECT * FROM p WHERE $1 = $1',
      ),
    ).not.toThrow();
    expect(() => boundedQuery('a.b', '/* SELECT */ DELETE FROM v WHERE id = $1')).toThrow(
      /a\.b must be one SELECT/,
    );
  });
});

describe('type conversions', () => {
  const parse = (oid: number, text: string): unknown =>
    (POSTGRES_TYPES.getTypeParser(oid, 'text') as (t: string) => unknown)(text);

  it('keeps dates, numerics, times and unknown types as the text PostgreSQL wrote', () => {
    expect(parse(1082, '2567-03-15')).toBe('2567-03-15');
    expect(parse(1700, '12345678901234567890.125')).toBe('12345678901234567890.125');
    expect(parse(1186, 'P1Y2M3DT4H')).toBe('P1Y2M3DT4H');
    expect(parse(1009, '{a,b}')).toBe('{a,b}');
  });

  it('turns timestamps into ISO 8601 without inventing a zone', () => {
    expect(isoTimestamp('2024-03-15 10:20:30.123456+00', true)).toBe('2024-03-15T10:20:30.123456Z');
    expect(isoTimestamp('2024-03-15 10:20:30+05:30', true)).toBe('2024-03-15T10:20:30+05:30');
    expect(isoTimestamp('2024-03-15 10:20:30', false)).toBe('2024-03-15T10:20:30');
    expect(isoTimestamp('infinity', true)).toBe('infinity');
    expect(isoTimestamp('1800-01-01 00:00:00+06:42:04', true)).toBe('1800-01-01 00:00:00+06:42:04');
  });

  it('gives int8 as a number only while it is exact', () => {
    expect(parse(20, '9007199254740991')).toBe(9007199254740991);
    expect(() => parse(20, '9007199254740993')).toThrow(
      expect.objectContaining({ code: 'ERR_BACKEND_RESPONSE_INVALID' }),
    );
  });

  it('gives bytea as base64 and booleans as booleans', () => {
    expect(parse(17, '\\x00ff')).toBe('AP8=');
    expect(parse(16, 't')).toBe(true);
    expect(parse(16, 'f')).toBe(false);
  });
});
