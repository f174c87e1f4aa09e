import { isDeepStrictEqual } from 'node:util';
import type { KeyRing } from '../crypto/key-ring.ts';
import { HubError } from '../errors/hub-error.ts';
import type { RequestRecordResponse } from '../proto.ts';
import { validateResponseEnvelope } from './envelope-schemas.ts';
import { RESPONSE_TYP, type ResponseEnvelope } from './envelope.types.ts';
import { verifyJson } from './jws.ts';
import { subjectDigest } from './response-envelope.ts';

/**
 * What a consumer agency runs on a delivered record: the provider's signature
 * verifies with the provider's registered key, and what it signed is exactly
 * the record, fields and exchange the node returned, for the agency, record
 * type, subject and request id the consumer asked for.
 */
export interface AskedFor {
  consumer: string;
  recordType: string;
  subject: string;
  clientRequestId: string;
}

export async function verifyDelivery(response: RequestRecordResponse, keys: KeyRing, asked: AskedFor): Promise<ResponseEnvelope> {
  const checked = await verifyJson(response.providerSignature, RESPONSE_TYP, (kid) => keys.find(response.providerId, kid));
  if (!checked.ok) throw new HubError('ERR_PROVIDER_SIGNATURE_INVALID', `provider signature rejected: ${checked.detail}`);
  if (!validateResponseEnvelope(checked.payload) || checked.payload.outcome !== 'delivered') {
    throw new HubError('ERR_PROVIDER_BINDING_MISMATCH', 'provider signature does not cover a delivered record');
  }
  const signed = checked.payload;
  const matches =
    signed.exchangeId === response.exchangeId &&
    signed.provider === response.providerId &&
    signed.consumer === asked.consumer &&
    signed.recordType === asked.recordType &&
    signed.clientRequestId === asked.clientRequestId &&
    signed.subjectDigest === subjectDigest(signed.exchangeId, asked.subject) &&
    isDeepStrictEqual(signed.record, JSON.parse(response.recordJson)) &&
    isDeepStrictEqual(signed.fields, response.fieldsDelivered);
  if (!matches) throw new HubError('ERR_PROVIDER_BINDING_MISMATCH', 'the record returned differs from what the provider signed');
  return signed;
}
