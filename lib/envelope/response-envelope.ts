import type { KeyRing } from '../crypto/key-ring.ts';
import type { SigningKey } from '../crypto/keys.ts';
import { canonicalJson, sha256b64url } from '../crypto/digest.ts';
import { HubError } from '../errors/hub-error.ts';
import { validateResponseEnvelope } from './envelope-schemas.ts';
import { RESPONSE_TYP, type RequestEnvelope, type ResponseEnvelope } from './envelope.types.ts';
import { signJson, verifyJson } from './jws.ts';
import { readReceipt } from './receipt.ts';
import { firstSchemaError } from '../schema-error.ts';

export function signResponseEnvelope(envelope: ResponseEnvelope, providerKey: SigningKey): Promise<string> {
  return signJson(envelope, providerKey, RESPONSE_TYP);
}

/**
 * SHA-256 of the subject salted with the exchange id: the consumer, who knows
 * the subject it asked for, can check it; nobody can link two exchanges by it.
 */
export function subjectDigest(exchangeId: string, subject: string): string {
  return sha256b64url(`${exchangeId}:${subject}`);
}

/** The digest that binds a response to the exact request it answers. */
export function requestDigest(requestJws: string): string {
  return sha256b64url(requestJws);
}

export interface ExpectedResponse {
  request: RequestEnvelope;
  requestJws: string;
}

/**
 * Node side: the response must be signed by the provider the request went to,
 * answer that very request (digest binding), and deliver no field beyond the
 * allowed set — exactly the fields it declares.
 */
export async function verifyResponseEnvelope(
  jws: string,
  keys: KeyRing,
  expected: ExpectedResponse,
): Promise<{ response: ResponseEnvelope; kid: string }> {
  const { request } = expected;
  const checked = await verifyJson(jws, RESPONSE_TYP, (kid) => keys.find(request.provider, kid));
  if (!checked.ok) {
    throw new HubError('ERR_PROVIDER_SIGNATURE_INVALID', `response from ${request.provider} rejected: ${checked.detail}`);
  }
  if (!validateResponseEnvelope(checked.payload)) {
    throw new HubError('ERR_PROVIDER_BINDING_MISMATCH', `response from ${request.provider} is malformed: ${firstSchemaError(validateResponseEnvelope)}`);
  }
  const response = checked.payload;
  const bound =
    response.exchangeId === request.exchangeId &&
    response.provider === request.provider &&
    response.consumer === request.consumer &&
    response.recordType === request.recordType &&
    response.requestDigest === requestDigest(expected.requestJws) &&
    response.subjectDigest === subjectDigest(request.exchangeId, request.subject) &&
    response.clientRequestId === request.clientRequestId;
  if (!bound) {
    throw new HubError('ERR_PROVIDER_BINDING_MISMATCH', `response from ${request.provider} does not answer exchange ${request.exchangeId}`);
  }
  if (response.outcome === 'delivered') {
    assertFieldSet(response.fields, response.record, request);
    // The receipt must be the same key's, and say what this response delivers: the audit log and evidence bundles keep it.
    await readReceipt(response.receipt, (kid) => (kid === checked.kid ? keys.find(request.provider, kid) : undefined), {
      exchangeId: request.exchangeId,
      provider: request.provider,
      consumer: request.consumer,
      recordType: request.recordType,
      requestDigest: response.requestDigest,
      payloadDigest: sha256b64url(canonicalJson(response.record)),
      fields: response.fields,
    });
  }
  return { response, kid: checked.kid };
}

function assertFieldSet(fields: string[], record: Record<string, unknown>, request: RequestEnvelope): void {
  const allowed = new Set(request.fields);
  const beyond = fields.filter((f) => !allowed.has(f));
  const present = Object.keys(record);
  const undeclared = present.filter((f) => !fields.includes(f));
  if (beyond.length > 0 || undeclared.length > 0) {
    throw new HubError(
      'ERR_PROVIDER_FIELDS_MISMATCH',
      `response from ${request.provider} delivers fields outside the agreement: ${[...new Set([...beyond, ...undeclared])].join(', ')}`,
    );
  }
}
