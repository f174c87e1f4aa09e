import { HubError } from './errors/hub-error.ts';

/** Attacker-controlled text, shortened before it is echoed in an error message. */
export function clip(s: string, max = 64): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** An RFC 3339 time as epoch ms, or ERR_INVALID_ARGUMENT naming the field. */
export function parseTime(value: string, field: string): number {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(ms)) {
    throw new HubError('ERR_INVALID_ARGUMENT', `${field} must be an RFC 3339 time, e.g. 2026-11-21T10:00:00+07:00`);
  }
  return ms;
}
