import type { ValidateFunction } from 'ajv';

/**
 * Where and why a value failed its schema: the first ajv error's JSON path and
 * message. Never the value itself, which may be personal data.
 */
export function firstSchemaError(validate: ValidateFunction): string {
  const first = validate.errors?.[0];
  return `${first?.instancePath || '/'}: ${first?.message ?? 'is invalid'}`;
}
