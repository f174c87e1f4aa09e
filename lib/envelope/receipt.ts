import type { CryptoKey } from 'jose';
import type { SigningKey } from '../crypto/keys.ts';
import { HubError } from '../errors/hub-error.ts';
import { firstSchemaError } from '../schema-error.ts';
import { validateDeliveryReceipt } from './envelope-schemas.ts';
import { RECEIPT_TYP, type DeliveryReceipt } from './envelope.types.ts';
import { signJson, verifyJson } from './jws.ts';

/** Connector side: the provider's content-free receipt for a delivery, signed with its agency key. */
export function signReceipt(receipt: DeliveryReceipt, providerKey: SigningKey): Promise<string> {
  return signJson(receipt, providerKey, RECEIPT_TYP);
}

/** What a receipt must say: the delivery it stands for (an offline verifier, which never saw the request, leaves out its digest). */
export type ExpectedReceipt = Omit<DeliveryReceipt, 'v' | 'iat' | 'requestDigest'> & { requestDigest?: string };

/**
 * Reads a receipt: signed by `findKey`'s key with that `kid`, the receipt's
 * shape, and saying exactly `expected`. Throws ERR_PROVIDER_SIGNATURE_INVALID
 * or ERR_PROVIDER_BINDING_MISMATCH naming what failed. Used by the node on
 * every delivery and by the offline evidence verifier.
 */
export async function readReceipt(jws: string, findKey: (kid: string) => CryptoKey | undefined, expected: ExpectedReceipt): Promise<{ receipt: DeliveryReceipt; kid: string }> {
  const checked = await verifyJson(jws, RECEIPT_TYP, findKey);
  if (!checked.ok) throw new HubError('ERR_PROVIDER_SIGNATURE_INVALID', `delivery receipt from ${expected.provider} rejected: ${checked.detail}`);
  if (!validateDeliveryReceipt(checked.payload)) {
    throw new HubError('ERR_PROVIDER_BINDING_MISMATCH', `delivery receipt from ${expected.provider} is malformed: ${firstSchemaError(validateDeliveryReceipt)}`);
  }
  const receipt = checked.payload;
  const wrong = (Object.keys(expected) as (keyof ExpectedReceipt)[]).filter((k) => expected[k] !== undefined && JSON.stringify(receipt[k]) !== JSON.stringify(expected[k]));
  if (wrong.length > 0) {
    throw new HubError('ERR_PROVIDER_BINDING_MISMATCH', `delivery receipt from ${expected.provider} does not match the delivery: ${wrong.join(', ')}`);
  }
  return { receipt, kid: checked.kid };
}
