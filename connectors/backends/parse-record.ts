import { HubError } from '../../lib/errors/hub-error.ts';

/** A backend's answer must be one JSON object; anything else is the backend's fault. */
export function parseRecord(text: string, source: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HubError('ERR_RECORD_SCHEMA_INVALID', `${source} answered with something that is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HubError('ERR_RECORD_SCHEMA_INVALID', `${source} answered with JSON that is not an object`);
  }
  return value as Record<string, unknown>;
}
