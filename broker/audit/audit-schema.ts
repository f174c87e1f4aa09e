import { Ajv } from 'ajv';
import { AUDIT_KINDS, type AuditEntry } from './audit-entry.types.ts';

// Entries are read back from Kafka by the index, the verifier and DPO tools:
// check their shape before use.
const ajv = new Ajv({ strict: true, allErrors: false });
const text = { type: 'string', maxLength: 512 } as const;

/** An audit entry from its raw bytes, or undefined if it is not one. */
export function parseAuditEntry(raw: Buffer): AuditEntry | undefined {
  try {
    const value: unknown = JSON.parse(raw.toString());
    return validateAuditEntry(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export const validateAuditEntry = ajv.compile<AuditEntry>({
  type: 'object',
  additionalProperties: false,
  required: ['v', 'id', 'kind', 'at', 'nodeId'],
  properties: {
    v: { const: 1 },
    id: text,
    kind: { enum: [...AUDIT_KINDS] },
    at: { type: 'integer', minimum: 0 },
    nodeId: text,
    exchangeId: text,
    consumer: text,
    provider: text,
    recordType: text,
    purpose: text,
    subjectRef: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' },
    requestRef: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' },
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
    actor: text,
    detail: { type: 'string', maxLength: 2048 },
  },
});
