import type { KeyRing } from '../crypto/key-ring.ts';
import type { SigningKey } from '../crypto/keys.ts';
import { HubError } from '../errors/hub-error.ts';
import { validateRequestEnvelope } from './envelope-schemas.ts';
import { REQUEST_TYP, type RequestEnvelope } from './envelope.types.ts';
import { signJson, verifyJson } from './jws.ts';
import { firstSchemaError } from '../schema-error.ts';

export const HUB_KEY_OWNER = 'hub';

export function signRequestEnvelope(envelope: RequestEnvelope, hubKey: SigningKey): Promise<string> {
  return signJson(envelope, hubKey, REQUEST_TYP);
}

/**
 * Connector side: the envelope must carry a valid hub signature, the right
 * shape, be addressed to this provider, and not be past its deadline.
 */
export async function verifyRequestEnvelope(
  jws: string,
  keys: KeyRing,
  provider: string,
  now: number = Date.now(),
): Promise<RequestEnvelope> {
  const checked = await verifyJson(jws, REQUEST_TYP, (kid) => keys.find(HUB_KEY_OWNER, kid));
  if (!checked.ok) {
    const code = checked.reason === 'malformed' ? 'ERR_ENVELOPE_MALFORMED' : 'ERR_ENVELOPE_SIGNATURE_INVALID';
    throw new HubError(code, `request envelope rejected: ${checked.detail}`);
  }
  if (!validateRequestEnvelope(checked.payload)) {
    throw new HubError('ERR_ENVELOPE_MALFORMED', `request envelope ${firstSchemaError(validateRequestEnvelope)}`);
  }
  const envelope = checked.payload;
  if (envelope.provider !== provider) {
    throw new HubError('ERR_ENVELOPE_MALFORMED', `request envelope is addressed to ${envelope.provider}, not ${provider}`);
  }
  if (envelope.exp <= now) {
    throw new HubError('ERR_ENVELOPE_EXPIRED', `request envelope expired ${now - envelope.exp} ms ago`);
  }
  return envelope;
}
