import { randomUUID } from 'node:crypto';
import { Ajv } from 'ajv';
import { RECORD_DOMAINS, verifyRecord, type NodeKeyLookup } from '../../lib/crypto/record-signature.ts';
import type { ErrorCode } from '../../lib/errors/error-codes.ts';
import type { ConsentRecord } from '../../policies/consent.types.ts';

/**
 * The consent topic is the source of truth: every node rebuilds its view from
 * these events. Each has a unique id, so applying one twice (locally, then
 * again when read back from the topic) changes nothing.
 */
export type ConsentEvent = GrantedEvent | RevokedEvent | UsedEvent;
export type GrantedEvent = { v: 1; eventId: string; type: 'granted'; at: number; consent: ConsentRecord };
export type RevokedEvent = { v: 1; eventId: string; type: 'revoked'; at: number; consentId: string; by: string; reason?: string };
/** One use of a consent by an exchange: it counts only if the consent had a use left at the event's place in the log. */
export type UsedEvent = { v: 1; eventId: string; type: 'used'; at: number; consentId: string; exchangeId: string };

/** The event a Grant writes: the consent, as granted. */
export function grantedEvent(consent: ConsentRecord): GrantedEvent {
  return { v: 1, eventId: randomUUID(), type: 'granted', at: consent.grantedAt, consent };
}

const ajv = new Ajv({ strict: true, strictRequired: false, allErrors: false });
const id = { type: 'string', minLength: 1, maxLength: 128 } as const;
const time = { type: 'integer', minimum: 0 } as const;

// Read from Kafka: parse defensively, as anything on a topic may be malformed.
// Never narrow it: every event already on the topic must stay readable. Writers
// check their own events against it before writing (ConsentLog.publish).
export const validateConsentEvent = ajv.compile<ConsentEvent>({
  type: 'object',
  required: ['v', 'eventId', 'type', 'at'],
  properties: {
    v: { const: 1 },
    eventId: id,
    type: { enum: ['granted', 'revoked', 'used'] },
    at: time,
    consentId: id,
    by: id,
    reason: { type: 'string', maxLength: 512 },
    exchangeId: id,
    consent: {
      type: 'object',
      required: ['consentId', 'subjectRef', 'consumer', 'items', 'purposes', 'validFrom', 'validTo', 'dataLifeDays', 'collection', 'noticeVersion', 'grantedAt', 'grantedBy'],
      properties: {
        consentId: id,
        subjectRef: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' },
        consumer: id,
        items: { type: 'array', minItems: 1, items: { type: 'object', required: ['recordType', 'provider'], properties: { recordType: id, provider: id } } },
        purposes: { type: 'array', minItems: 1, items: id },
        validFrom: time,
        validTo: time,
        dataLifeDays: { type: 'integer', minimum: 1 },
        maxUses: { type: 'integer', minimum: 1 },
        collection: { type: 'object', required: ['method', 'collectedAt'], properties: { method: id, collectedAt: time, reference: { type: 'string' } } },
        noticeVersion: id,
        // Optional: events signed before the field existed stay valid, and read as not explicit.
        explicit: { type: 'boolean' },
        grantedAt: time,
        grantedBy: id,
      },
    },
  },
  oneOf: [
    { properties: { type: { const: 'granted' } }, required: ['consent'] },
    { properties: { type: { const: 'revoked' } }, required: ['consentId', 'by'] },
    { properties: { type: { const: 'used' } }, required: ['consentId', 'exchangeId'] },
  ],
});

export type ReadConsentEvent = { event: ConsentEvent } | { code: ErrorCode; reason: string };

/**
 * What every node does with a record from the consent topic: the event is
 * believed only when a registered node signed it, and it has an event's shape.
 */
export function readConsentEvent(value: Buffer | string, keys: NodeKeyLookup): ReadConsentEvent {
  const signed = verifyRecord(RECORD_DOMAINS.consentEvent, value, keys);
  if (!signed.ok) return { code: 'ERR_RECORD_SIGNATURE_INVALID', reason: `consent event refused: ${signed.reason}` };
  if (!validateConsentEvent(signed.value)) return { code: 'ERR_MESSAGE_MALFORMED', reason: 'signed, but not a valid consent event' };
  return { event: signed.value };
}
