import { HubError } from '../../lib/errors/hub-error.ts';

/** A backend's answer must be one JSON object; anything else is the backend's fault, and its text stays out of the message. */
export function parseRecord(text: string, source: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw notAnObject(source, 'malformed JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw notAnObject(
      source,
      value === null ? 'JSON null' : Array.isArray(value) ? 'a JSON array' : `a JSON ${typeof value}`,
    );
  }
  return value as Record<string, unknown>;
}

function notAnObject(source: string, what: string): HubError {
  return new HubError(
    'ERR_BACKEND_RESPONSE_INVALID',
    `${source} answered with something that is not a JSON object (${what})`,
  );
}
