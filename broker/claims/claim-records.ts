import { Ajv } from 'ajv';
import { ERROR_CODES, type ErrorCode } from '../../lib/errors/error-codes.ts';
import { RECORD_DOMAINS, verifyRecord, type NodeKeyLookup } from '../../lib/crypto/record-signature.ts';

/**
 * Records of the claims topic: one partition, so one order that every node
 * reads alike. A claim stakes a token (its jti, keyed) and, for an exchange,
 * a request (consumer and client request id, keyed); the first claim in log
 * order wins (claim-state.ts). An outcome closes a request claim: the sealed
 * answer, the error it ended in, or "released" (nothing was sent).
 */
export interface ClaimRecord {
  v: 1;
  type: 'claim';
  claimId: string;
  /** Epoch ms at the writing node. */
  at: number;
  /** A keyed digest of issuer and jti, and when the token stops being valid (epoch ms). */
  token: { key: string; exp: number };
  request?: {
    /** Keyed digest of consumer and client request id. */
    key: string;
    /** Digest of what was asked (subject, record type, purpose, fields, consent): the same id for another request is refused. */
    fingerprint: string;
    /** The exchange's deadline: a holder with no outcome by then has died, and the next claim takes over. */
    exp: number;
    /** Until when the outcome answers retries (epoch ms): the idempotency TTL of the writing node. */
    keepUntil: number;
  };
}

export type OutcomeResult =
  | { kind: 'released' }
  | { kind: 'delivered'; exchangeId: string; sealed: string }
  | { kind: 'failed'; exchangeId: string; code: ErrorCode; message: string };

export interface OutcomeRecord {
  v: 1;
  type: 'outcome';
  claimId: string;
  at: number;
  requestKey: string;
  result: OutcomeResult;
}

export type ClaimTopicRecord = ClaimRecord | OutcomeRecord;

const ajv = new Ajv({ strict: true, strictRequired: false });
const id = { type: 'string', minLength: 1, maxLength: 128 } as const;
const digest = { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' } as const;
const time = { type: 'integer', minimum: 0 } as const;

// Read from Kafka: attacker-controlled until its signature and shape are checked.
const validateClaimRecord = ajv.compile<ClaimTopicRecord>({
  type: 'object',
  required: ['v', 'type', 'claimId', 'at'],
  properties: {
    v: { const: 1 },
    type: { enum: ['claim', 'outcome'] },
    claimId: id,
    at: time,
    token: { type: 'object', required: ['key', 'exp'], properties: { key: digest, exp: time } },
    request: {
      type: 'object',
      required: ['key', 'fingerprint', 'exp', 'keepUntil'],
      properties: { key: digest, fingerprint: digest, exp: time, keepUntil: time },
    },
    requestKey: digest,
    result: {
      type: 'object',
      required: ['kind'],
      properties: {
        kind: { enum: ['released', 'delivered', 'failed'] },
        exchangeId: id,
        sealed: { type: 'string', minLength: 1, maxLength: 8_000_000 },
        code: { enum: [...ERROR_CODES] },
        message: { type: 'string', maxLength: 1024 },
      },
      oneOf: [
        { properties: { kind: { const: 'released' } } },
        { properties: { kind: { const: 'delivered' } }, required: ['exchangeId', 'sealed'] },
        { properties: { kind: { const: 'failed' } }, required: ['exchangeId', 'code', 'message'] },
      ],
    },
  },
  oneOf: [
    { properties: { type: { const: 'claim' } }, required: ['token'] },
    { properties: { type: { const: 'outcome' } }, required: ['requestKey', 'result'] },
  ],
});

export type ReadClaimRecord = { record: ClaimTopicRecord & { nodeId: string } } | { code: ErrorCode; reason: string };

/** A record from the claims topic is believed only when a registered node signed it and it has a claim's shape. */
export function readClaimRecord(value: Buffer | string, keys: NodeKeyLookup): ReadClaimRecord {
  const signed = verifyRecord(RECORD_DOMAINS.claim, value, keys);
  if (!signed.ok) return { code: 'ERR_RECORD_SIGNATURE_INVALID', reason: `claim refused: ${signed.reason}` };
  if (!validateClaimRecord(signed.value)) return { code: 'ERR_MESSAGE_MALFORMED', reason: 'signed, but not a valid claim record' };
  return { record: signed.value };
}
