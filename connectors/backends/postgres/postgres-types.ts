import type { CustomTypesConfig } from 'pg';
import { HubError } from '../../../lib/errors/hub-error.ts';

/**
 * How column values become plain JSON. The pool gets its own table, never the
 * process-wide `pg.types`, so nothing else in the process changes and a change
 * made elsewhere never reaches these rows. The session's DateStyle, TimeZone,
 * IntervalStyle and bytea_output are fixed at connect (postgres-connection.ts),
 * so the text forms parsed here are known.
 *
 * - date: the `YYYY-MM-DD` string as stored; never a JS Date, which would shift
 *   it by the connector's time zone.
 * - timestamp (without zone): ISO 8601 local time `2024-03-15T10:20:30.123456`,
 *   no zone invented; timestamptz: ISO 8601 in UTC, `...Z`. Microseconds kept.
 *   Values with no ISO form (`infinity`, BC dates) pass as PostgreSQL writes them.
 * - int2/int4/oid: numbers; int8: a number when it is a safe integer, otherwise
 *   ERR_BACKEND_RESPONSE_INVALID (a silent rounding or a type that changes with
 *   the value would both mislead the mapping); cast to text in the query to keep it.
 * - numeric: the exact decimal string (`65.50`); the mapping's `number` turns it
 *   into a number where the schema wants one.
 * - float4/float8: numbers; NaN and ±Infinity have no JSON form and are refused.
 * - bytea: base64 text, so a photo or a scanned document stays representable.
 * - json/jsonb: parsed. Arrays, composites and every other type arrive in
 *   PostgreSQL's text form; select `to_jsonb(column)` to get them structured.
 */
const PARSERS: ReadonlyMap<number, (text: string) => unknown> = new Map<number, (text: string) => unknown>([
  [16, (text) => text === 't'], // bool
  [17, parseBytea],
  [20, parseInt8],
  [21, parseInteger], // int2
  [23, parseInteger], // int4
  [26, parseInteger], // oid
  [114, parseJson], // json
  [3802, parseJson], // jsonb
  [700, parseFloat], // float4
  [701, parseFloat], // float8
  [1114, (text) => isoTimestamp(text, false)],
  [1184, (text) => isoTimestamp(text, true)],
]);

const identity = (text: string): string => text;

/** The per-pool type table handed to `pg.Pool({ types })`. */
export const POSTGRES_TYPES: CustomTypesConfig = {
  // Rows always arrive in text format: pg never asks the server for binary results.
  getTypeParser: ((oid: number) => PARSERS.get(oid) ?? identity) as CustomTypesConfig['getTypeParser'],
};

function parseInteger(text: string): number {
  return Number.parseInt(text, 10);
}

function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new HubError(
      'ERR_BACKEND_RESPONSE_INVALID',
      'postgres answered an int8 value too large for a JSON number; cast it to text in the query',
    );
  }
  return value;
}

function parseFloat(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value))
    throw new HubError(
      'ERR_BACKEND_RESPONSE_INVALID',
      'postgres answered NaN or Infinity, which JSON cannot hold',
    );
  return value;
}

function parseJson(text: string): unknown {
  return JSON.parse(text) as unknown;
}

function parseBytea(text: string): string {
  // bytea_output is fixed to hex at connect: `\x` then two hex digits a byte.
  if (!text.startsWith('\\x'))
    throw new HubError('ERR_BACKEND_RESPONSE_INVALID', 'postgres answered bytea in an unexpected form');
  return Buffer.from(text.slice(2), 'hex').toString('base64');
}

const TIMESTAMP = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)(?:([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?)?$/;

/** `2024-03-15 10:20:30.5+00` (DateStyle ISO, TimeZone UTC) → `2024-03-15T10:20:30.5Z`. */
export function isoTimestamp(text: string, withZone: boolean): string {
  const match = TIMESTAMP.exec(text);
  // An offset with seconds (local mean time before 1900) has no ISO 8601 form.
  if (!match || match[6] !== undefined) return text;
  const [, date, time, sign, hours, minutes = '00'] = match;
  const local = `${date}T${time}`;
  if (!withZone || sign === undefined) return local;
  return hours === '00' && minutes === '00' ? `${local}Z` : `${local}${sign}${hours}:${minutes}`;
}
