import type { ErrorCode } from '../../errors/error-codes.ts';
import type { RequestEnvelope } from '../envelope.types.ts';

export const BULK_REQUEST_TYP = 'xhub-bulk-request+jws';
export const BULK_REPLY_TYP = 'xhub-bulk-reply+jws';
/** Kafka header saying a request or reply is a bulk batch (unauthenticated: only picks the parser; the JWS typ decides). */
export const BULK_HEADER = 'xhub-bulk';
/** The most items one batch may hold. */
export const MAX_BATCH_ITEMS = 1000;

/** One citizen in a batch: an exchange of its own, under the batch's one signature. */
export interface BulkRequestItem {
  exchangeId: string;
  subject: string;
  consent?: RequestEnvelope['consent'];
}

/**
 * A batch of requests for one record type and purpose, from one consumer to
 * one provider, signed once with the hub key. Every item was decided (and
 * audited) on its own before it was put here.
 */
export interface BulkRequestEnvelope {
  v: 1;
  batchId: string;
  nodeId: string;
  replyTopic: string;
  consumer: string;
  provider: string;
  recordType: string;
  purpose: string;
  fields: string[];
  lawfulBasis: string;
  items: BulkRequestItem[];
  iat: number;
  exp: number;
}

/**
 * What the provider signs for a batch: the RFC 9162 Merkle tree hash over one
 * leaf per item (see `bulkLeaf`), bound to the request by its digest. The
 * records travel beside it, each provable on its own with an inclusion proof.
 */
export interface BulkReplyPayload {
  v: 1;
  batchId: string;
  provider: string;
  consumer: string;
  recordType: string;
  /** SHA-256 (base64url) of the exact compact JWS of the batch request. */
  requestDigest: string;
  size: number;
  /** The Merkle tree hash over the leaves, base64url. */
  root: string;
  iat: number;
}

export type BulkReplyItem =
  | { exchangeId: string; outcome: 'delivered'; fields: string[]; record: Record<string, unknown> }
  | { exchangeId: string; outcome: 'error'; error: { code: ErrorCode; message: string } };

/** The reply message on Kafka: the signed payload and the items, in the request's order. */
export interface BulkReplyMessage {
  v: 1;
  jws: string;
  items: BulkReplyItem[];
}
