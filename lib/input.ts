import { HubError } from './errors/hub-error.ts';

/** Attacker-controlled text, shortened before it is echoed in an error message. */
export function clip(s: string, max = 64): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/**
 * RFC 3339 §5.6 date-time. The offset is required: a time without one would
 * mean whatever zone the node happens to run in. T and Z may be lower case.
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * An RFC 3339 time as epoch ms, or ERR_INVALID_ARGUMENT naming the field.
 * Strict where Date.parse is lenient: it reads 2026-02-30 as 2 March and a
 * time without offset as local time, so a value would not read back as sent.
 */
export function parseTime(value: string, field: string): number {
  const m = RFC3339.exec(value);
  const ms = m ? Date.parse(value) : NaN;
  if (!m || Number.isNaN(ms) || Number(m[4]) > 23 || Number(m[3]) > daysInMonth(Number(m[1]), Number(m[2]))) {
    throw new HubError('ERR_INVALID_ARGUMENT', `${field} must be an RFC 3339 time, e.g. 2026-11-21T10:00:00+07:00`);
  }
  return ms;
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}
