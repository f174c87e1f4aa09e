/**
 * Stable error codes. Clients and tests match on these, never on messages.
 * Grouped by where they arise; the gRPC status for each lives in one table
 * (`broker/transport/status-map.ts`).
 */
export const ERROR_CODES = [
  // request validation
  'ERR_INVALID_ARGUMENT',
  'ERR_INVALID_CITIZEN_ID',
  'ERR_UNKNOWN_RECORD_TYPE',
  'ERR_UNKNOWN_PURPOSE',
  'ERR_IDEMPOTENCY_KEY_REUSED',
  // authentication
  'ERR_AUTH_MISSING',
  'ERR_AUTH_MALFORMED',
  'ERR_AUTH_UNKNOWN_AGENCY',
  'ERR_AUTH_UNKNOWN_KEY',
  'ERR_AUTH_BAD_SIGNATURE',
  'ERR_AUTH_WRONG_AUDIENCE',
  'ERR_AUTH_EXPIRED',
  'ERR_AUTH_NOT_YET_VALID',
  'ERR_AUTH_LIFETIME_TOO_LONG',
  'ERR_AUTH_REPLAYED',
  // policy decision
  'ERR_NOT_CONSUMER',
  'ERR_NO_AGREEMENT',
  'ERR_AGREEMENT_NOT_IN_FORCE',
  'ERR_PURPOSE_NOT_AGREED',
  'ERR_FIELDS_NOT_ALLOWED',
  // exchange path
  'ERR_ENVELOPE_SIGNATURE_INVALID',
  'ERR_ENVELOPE_EXPIRED',
  'ERR_ENVELOPE_MALFORMED',
  'ERR_ENVELOPE_REPLAYED',
  'ERR_PROVIDER_SIGNATURE_INVALID',
  'ERR_PROVIDER_BINDING_MISMATCH',
  'ERR_PROVIDER_FIELDS_MISMATCH',
  'ERR_RECORD_NOT_FOUND',
  'ERR_RECORD_SCHEMA_INVALID',
  'ERR_BACKEND_UNAVAILABLE',
  'ERR_BACKEND_TIMEOUT',
  'ERR_DEADLINE_EXCEEDED',
  'ERR_OVERLOADED',
  // operations
  'ERR_POLICY_INVALID',
  'ERR_CONFIG_INVALID',
  'ERR_KAFKA_UNAVAILABLE',
  'ERR_INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}
