import type { ErrorCode } from '../errors/error-codes.ts';

/**
 * What the node asks a provider's connector to do, signed with the hub key.
 * `iat` and `exp` are epoch milliseconds (not JWT seconds): deadlines are sub-second.
 */
export interface RequestEnvelope {
  v: 1;
  exchangeId: string;
  nodeId: string;
  replyTopic: string;
  consumer: string;
  provider: string;
  recordType: string;
  subject: string;
  purpose: string;
  /** The fields the provider may deliver: the agreement's, narrowed to the caller's subset. */
  fields: string[];
  clientRequestId: string;
  /** The agreement's lawful basis (PDPA s.19 consent or a s.24 basis). */
  lawfulBasis: string;
  /** Where the basis is consent: the consent relied on, for the provider's own check. */
  consent?: { id: string; consumer: string; purposes: string[]; recordTypes: string[] };
  iat: number;
  exp: number;
}

export type ResponseOutcome =
  | {
      outcome: 'delivered';
      fields: string[];
      record: Record<string, unknown>;
      /** The provider's content-free receipt for this delivery (`DeliveryReceipt`, compact JWS): what an evidence bundle holds in its place. */
      receipt: string;
    }
  | { outcome: 'error'; error: { code: ErrorCode; message: string } };

/**
 * What the provider attests of a delivery without its content: signed with the
 * same key as the response, so the audit log and an evidence bundle can carry
 * the provider's own signature over what it handed out (by digest) while
 * holding no record and no citizen id. Deliberately no subject digest: a
 * 13-digit id salted with a known exchange id can be found by brute force.
 */
export interface DeliveryReceipt extends ExchangeBinding {
  v: 1;
  /** SHA-256 (base64url) of the RFC 8785 canonical JSON of the delivered record: the audit entry's `payloadDigest`. */
  payloadDigest: string;
  fields: string[];
  iat: number;
}

export const RECEIPT_TYP = 'xhub-receipt+jws';

/** What binds a provider's answer (and its receipt) to one request of one exchange. */
export interface ExchangeBinding {
  exchangeId: string;
  provider: string;
  consumer: string;
  recordType: string;
  /** SHA-256 (base64url) of the exact compact JWS of the request envelope. */
  requestDigest: string;
}

/** The provider's answer, signed with the provider agency's key, bound to the request by digest. */
export type ResponseEnvelope = {
  v: 1;
  /** Lets the consumer check whose record this is without the id in the clear: see `subjectDigest()`. */
  subjectDigest: string;
  clientRequestId: string;
  iat: number;
} & ExchangeBinding &
  ResponseOutcome;

export const REQUEST_TYP = 'xhub-request+jws';

/** Kafka header naming the exchange a request or reply belongs to (unauthenticated: only routes). */
export const EXCHANGE_ID_HEADER = 'xhub-exchange-id';
export const RESPONSE_TYP = 'xhub-response+jws';
