import { Ajv } from 'ajv';
import { RECORD_DOMAINS, verifyRecord, type NodeKeyLookup } from '../../lib/crypto/record-signature.ts';
import type { ErrorCode } from '../../lib/errors/error-codes.ts';
import { AUDIT_KINDS, type AuditEntry } from './audit-entry.types.ts';

// Entries are read back from Kafka by the index, the verifier and DPO tools:
// check their shape before use.
const ajv = new Ajv({ strict: true, allErrors: false });
const text = { type: 'string', maxLength: 512 } as const;

/**
 * An audit entry from its raw bytes, believed only if a node the policy
 * registers signed it and it has the entry's shape; otherwise the reason.
 * Anyone who can write the audit topic can put bytes there: nothing unsigned
 * is ever shown as a hub fact.
 */
export function readAuditEntry(raw: Buffer, keys: NodeKeyLookup): { entry: AuditEntry } | { code: ErrorCode; reason: string } {
  const signed = verifyRecord(RECORD_DOMAINS.auditEntry, raw, keys);
  if (!signed.ok) return { code: 'ERR_RECORD_SIGNATURE_INVALID', reason: signed.reason };
  if (!validateAuditEntry(signed.value)) return { code: 'ERR_MESSAGE_MALFORMED', reason: 'signed, but not the shape of an audit entry' };
  return { entry: signed.value };
}

export const validateAuditEntry = ajv.compile<AuditEntry>({
  type: 'object',
  additionalProperties: false,
  required: ['v', 'id', 'kind', 'at', 'nodeId', 'kid'],
  // verifyRecord has checked the signature form already; the shape is kept strict all the same.
  oneOf: [
    { properties: { sig: true }, required: ['sig'] },
    { properties: { sigBatch: true }, required: ['sigBatch'] },
  ],
  properties: {
    v: { const: 1 },
    id: text,
    kind: { enum: [...AUDIT_KINDS] },
    at: { type: 'integer', minimum: 0 },
    nodeId: text,
    kid: text,
    sig: { type: 'string', pattern: '^[A-Za-z0-9_-]{86}$' },
    sigBatch: {
      type: 'object',
      additionalProperties: false,
      required: ['root', 'size', 'index', 'path', 'sig'],
      properties: {
        root: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' },
        size: { type: 'integer', minimum: 2 },
        index: { type: 'integer', minimum: 0 },
        path: { type: 'array', maxItems: 8, items: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' } },
        sig: { type: 'string', pattern: '^[A-Za-z0-9_-]{86}$' },
      },
    },
    exchangeId: text,
    consumer: text,
    provider: text,
    recordType: text,
    purpose: text,
    subjectRef: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' },
    requestRef: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' },
    tokenDigest: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' },
    lawfulBasis: text,
    consentId: text,
    agreementId: text,
    decision: { enum: ['permit', 'deny'] },
    reason: text,
    rule: text,
    source: text,
    fields: { type: 'array', items: text, maxItems: 256 },
    payloadDigest: text,
    signatureDigest: text,
    providerKeyId: text,
    providerReceipt: { type: 'string', maxLength: 16_384, pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$' },
    discloseAfter: { type: 'integer', minimum: 0 },
    deferral: text,
    actor: text,
    detail: { type: 'string', maxLength: 2048 },
  },
});
