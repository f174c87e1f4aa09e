import { Ajv } from 'ajv';
import { COMPACT_JWS, consentRef, fieldList, id, providerError } from '../envelope-schemas.ts';
import { MAX_BATCH_ITEMS, type BulkReplyMessage, type BulkReplyPayload, type BulkRequestEnvelope } from './bulk.types.ts';

// Attacker-controlled until checked, even after a signature verifies.
const ajv = new Ajv({ allErrors: false, strict: true, strictRequired: false });
const digest = { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' } as const;

export const validateBulkRequest = ajv.compile<BulkRequestEnvelope>({
  type: 'object',
  additionalProperties: false,
  required: ['v', 'batchId', 'nodeId', 'replyTopic', 'consumer', 'provider', 'recordType', 'purpose', 'fields', 'lawfulBasis', 'items', 'iat', 'exp'],
  properties: {
    v: { const: 1 },
    batchId: id,
    nodeId: id,
    replyTopic: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,249}$' },
    consumer: id,
    provider: id,
    recordType: id,
    purpose: id,
    fields: fieldList,
    lawfulBasis: id,
    items: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_BATCH_ITEMS,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['exchangeId', 'subject'],
        properties: {
          exchangeId: id,
          subject: { type: 'string', pattern: '^\\d{13}$' },
          consent: consentRef,
        },
      },
    },
    iat: { type: 'integer' },
    exp: { type: 'integer' },
  },
});

export const validateBulkReplyPayload = ajv.compile<BulkReplyPayload>({
  type: 'object',
  additionalProperties: false,
  required: ['v', 'batchId', 'provider', 'consumer', 'recordType', 'requestDigest', 'size', 'root', 'iat'],
  properties: {
    v: { const: 1 },
    batchId: id,
    provider: id,
    consumer: id,
    recordType: id,
    requestDigest: digest,
    size: { type: 'integer', minimum: 1, maximum: MAX_BATCH_ITEMS },
    root: digest,
    iat: { type: 'integer' },
  },
});

export const validateBulkReplyMessage = ajv.compile<BulkReplyMessage>({
  type: 'object',
  additionalProperties: false,
  required: ['v', 'jws', 'items'],
  properties: {
    v: { const: 1 },
    jws: { type: 'string', maxLength: 16_384, pattern: COMPACT_JWS },
    items: {
      type: 'array',
      maxItems: MAX_BATCH_ITEMS,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['exchangeId', 'outcome'],
        properties: {
          exchangeId: id,
          outcome: { enum: ['delivered', 'error'] },
          fields: fieldList,
          record: { type: 'object' },
          error: providerError,
        },
        oneOf: [
          { properties: { outcome: { const: 'delivered' } }, required: ['fields', 'record'], not: { required: ['error'] } },
          { properties: { outcome: { const: 'error' } }, required: ['error'], not: { anyOf: [{ required: ['record'] }, { required: ['fields'] }] } },
        ],
      },
    },
  },
});
