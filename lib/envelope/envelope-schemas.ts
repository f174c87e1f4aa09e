import { Ajv } from 'ajv';
import { ERROR_CODES } from '../errors/error-codes.ts';
import type { DeliveryReceipt, RequestEnvelope, ResponseEnvelope } from './envelope.types.ts';

// Envelope payloads are attacker-controlled until their shape is checked, even
// after the signature verifies (a key can be misused): validate before use.
const ajv = new Ajv({ allErrors: false, strict: true, strictRequired: false });

/** Schema fragments shared by the single and the bulk envelopes (bulk/bulk-schemas.ts). */
export const id = { type: 'string', minLength: 1, maxLength: 128 } as const;
/** A compact JWS: three base64url parts. */
export const COMPACT_JWS = '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$';
export const fieldList = { type: 'array', items: { type: 'string', minLength: 1, maxLength: 128 }, maxItems: 256 } as const;
/** The consent a request relies on, for the provider's own check. */
export const consentRef = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'consumer', 'purposes', 'recordTypes'],
  properties: { id, consumer: id, purposes: fieldList, recordTypes: fieldList },
} as const;
/** A provider's error: a hub error code and its message. */
export const providerError = {
  type: 'object',
  additionalProperties: false,
  required: ['code', 'message'],
  properties: { code: { enum: [...ERROR_CODES] }, message: { type: 'string', maxLength: 1024 } },
} as const;

export const validateRequestEnvelope = ajv.compile<RequestEnvelope>({
  type: 'object',
  additionalProperties: false,
  required: ['v', 'exchangeId', 'nodeId', 'replyTopic', 'consumer', 'provider', 'recordType', 'subject', 'purpose', 'fields', 'clientRequestId', 'lawfulBasis', 'iat', 'exp'],
  properties: {
    v: { const: 1 },
    exchangeId: id,
    nodeId: id,
    replyTopic: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,249}$' },
    consumer: id,
    provider: id,
    recordType: id,
    subject: { type: 'string', pattern: '^\\d{13}$' },
    purpose: id,
    fields: fieldList,
    clientRequestId: id,
    lawfulBasis: id,
    consent: consentRef,
    iat: { type: 'integer' },
    exp: { type: 'integer' },
  },
});

export const validateResponseEnvelope = ajv.compile<ResponseEnvelope>({
  type: 'object',
  additionalProperties: false,
  required: ['v', 'exchangeId', 'provider', 'consumer', 'recordType', 'requestDigest', 'subjectDigest', 'clientRequestId', 'iat', 'outcome'],
  properties: {
    v: { const: 1 },
    exchangeId: id,
    provider: id,
    consumer: id,
    recordType: id,
    requestDigest: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' },
    subjectDigest: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' },
    clientRequestId: id,
    iat: { type: 'integer' },
    outcome: { enum: ['delivered', 'error'] },
    fields: fieldList,
    record: { type: 'object' },
    receipt: { type: 'string', maxLength: 16_384, pattern: COMPACT_JWS },
    error: providerError,
  },
  oneOf: [
    { properties: { outcome: { const: 'delivered' } }, required: ['fields', 'record', 'receipt'], not: { required: ['error'] } },
    { properties: { outcome: { const: 'error' } }, required: ['error'], not: { anyOf: [{ required: ['record'] }, { required: ['fields'] }, { required: ['receipt'] }] } },
  ],
});

export const validateDeliveryReceipt = ajv.compile<DeliveryReceipt>({
  type: 'object',
  additionalProperties: false,
  required: ['v', 'exchangeId', 'provider', 'consumer', 'recordType', 'requestDigest', 'payloadDigest', 'fields', 'iat'],
  properties: {
    v: { const: 1 },
    exchangeId: id,
    provider: id,
    consumer: id,
    recordType: id,
    requestDigest: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' },
    payloadDigest: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' },
    fields: fieldList,
    iat: { type: 'integer' },
  },
});
