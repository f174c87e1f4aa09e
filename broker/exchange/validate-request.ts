import { assertCitizenId } from '../../lib/citizen-id.ts';
import { HubError } from '../../lib/errors/hub-error.ts';
import { clip } from '../../lib/input.ts';
import type { RequestRecordRequest } from '../../lib/proto.ts';
import type { Policy } from '../../policies/policy.types.ts';

const FIELD = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/**
 * Checks a RequestRecord call before any decision. The request is
 * attacker-controlled: messages never echo the subject, and echo other values
 * only truncated.
 */
export function validateRequest(request: RequestRecordRequest, policy: Policy): RequestRecordRequest {
  assertCitizenId(request.subject);
  if (request.recordType === '') throw new HubError('ERR_UNKNOWN_RECORD_TYPE', 'record_type is required');
  if (!policy.recordTypes.has(request.recordType)) {
    throw new HubError('ERR_UNKNOWN_RECORD_TYPE', `unknown record type "${clip(request.recordType)}"`);
  }
  if (request.purpose === '') throw new HubError('ERR_UNKNOWN_PURPOSE', 'purpose is required');
  if (!policy.purposes.has(request.purpose)) throw new HubError('ERR_UNKNOWN_PURPOSE', `unknown purpose "${clip(request.purpose)}"`);
  if (request.clientRequestId.length < 1 || request.clientRequestId.length > 128) {
    throw new HubError('ERR_INVALID_ARGUMENT', 'client_request_id is required: 1 to 128 characters chosen by the caller');
  }
  if (request.consentId.length > 128) throw new HubError('ERR_INVALID_ARGUMENT', 'consent_id: at most 128 characters');
  if (request.fields.length > 256) throw new HubError('ERR_INVALID_ARGUMENT', 'fields: at most 256 names');
  const badField = request.fields.find((f) => !FIELD.test(f));
  if (badField !== undefined) throw new HubError('ERR_INVALID_ARGUMENT', `fields: "${clip(badField)}" is not a field name`);
  const known = policy.recordTypes.get(request.recordType)?.fields ?? [];
  const unknown = request.fields.filter((f) => !known.includes(f));
  if (unknown.length > 0) {
    throw new HubError('ERR_INVALID_ARGUMENT', `record type ${request.recordType} has no field ${unknown.map((f) => clip(f)).join(', ')}`);
  }
  return request;
}
