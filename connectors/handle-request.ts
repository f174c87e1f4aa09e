import type { SigningKey } from '../lib/crypto/keys.ts';
import type { RequestEnvelope, ResponseEnvelope, ResponseOutcome } from '../lib/envelope/envelope.types.ts';
import { verifyRequestEnvelope } from '../lib/envelope/request-envelope.ts';
import { requestDigest, signResponseEnvelope, subjectDigest } from '../lib/envelope/response-envelope.ts';
import { signReceipt } from '../lib/envelope/receipt.ts';
import { canonicalJson, sha256b64url } from '../lib/crypto/digest.ts';
import type { ErrorCode } from '../lib/errors/error-codes.ts';
import { HubError, isHubError, toHubError } from '../lib/errors/hub-error.ts';
import type { ReplayGuard } from '../lib/replay-guard.ts';
import { decide, denyError } from '../policies/decide.ts';
import type { ConsentLookup } from '../policies/consent.types.ts';

/** The connector holds no consent state: consent is checked by the node (see checkEnvelopeConsent). */
const PROVIDER_SIDE: ConsentLookup = { isCurrent: () => false, get: () => undefined };
import type { Policy } from '../policies/policy.types.ts';
import type { Backend } from './backends/backend.types.ts';
import { firstSchemaError } from '../lib/schema-error.ts';

export interface HandlerDeps {
  agencyId: string;
  key: SigningKey;
  policy: Policy;
  backend: Backend;
  replay: ReplayGuard;
  /** Replies may only go to topics under this prefix (the hub's reply topics). */
  replyTopicPrefix: string;
}

export type Handled =
  | { kind: 'reply'; topic: string; jws: string; exchangeId: string; code?: ErrorCode }
  | { kind: 'dead-letter'; code: ErrorCode; message: string }
  | { kind: 'skip'; code: ErrorCode; message: string };

/**
 * One request on the connector: verify the hub's envelope, fetch the record,
 * check it against its schema, keep only the allowed fields, sign the answer
 * bound to the request digest. A request that cannot be trusted is never
 * answered and never reaches the backend.
 */
export async function handleRequest(deps: HandlerDeps, requestJws: string, now = Date.now()): Promise<Handled> {
  let envelope: RequestEnvelope;
  try {
    envelope = await verifyRequestEnvelope(requestJws, deps.policy.keys, deps.agencyId, now);
  } catch (error) {
    return refused(error);
  }
  if (!envelope.replyTopic.startsWith(deps.replyTopicPrefix)) {
    return { kind: 'dead-letter', code: 'ERR_ENVELOPE_MALFORMED', message: 'reply topic is not a hub reply topic' };
  }
  if (!deps.replay.firstUse(envelope.exchangeId, envelope.exp)) {
    return { kind: 'dead-letter', code: 'ERR_ENVELOPE_REPLAYED', message: `exchange ${envelope.exchangeId} was already answered` };
  }
  const fetched = await fetchOutcome(deps, envelope, now);
  const bound = { exchangeId: envelope.exchangeId, provider: deps.agencyId, consumer: envelope.consumer, recordType: envelope.recordType, requestDigest: requestDigest(requestJws) };
  const outcome: ResponseOutcome =
    fetched.outcome === 'delivered'
      ? { ...fetched, receipt: await signReceipt({ v: 1, ...bound, payloadDigest: sha256b64url(canonicalJson(fetched.record)), fields: fetched.fields, iat: Date.now() }, deps.key) }
      : fetched;
  const response: ResponseEnvelope = {
    v: 1,
    ...bound,
    subjectDigest: subjectDigest(envelope.exchangeId, envelope.subject),
    clientRequestId: envelope.clientRequestId,
    iat: Date.now(),
    ...outcome,
  };
  const jws = await signResponseEnvelope(response, deps.key);
  return {
    kind: 'reply',
    topic: envelope.replyTopic,
    jws,
    exchangeId: envelope.exchangeId,
    ...(outcome.outcome === 'error' ? { code: outcome.error.code } : {}),
  };
}

/** What becomes of a request that failed its checks. An expired one is not poison: its caller has given up. Skip it. */
export function refused(error: unknown): Handled {
  const e = toHubError(error, 'ERR_ENVELOPE_MALFORMED');
  if (e.code === 'ERR_ENVELOPE_EXPIRED') return { kind: 'skip', code: e.code, message: e.message };
  return { kind: 'dead-letter', code: e.code, message: e.message };
}

/**
 * Provider-side check of the lawful basis the hub claims: it must be the
 * agreement's, and a consent-based request must carry a consent reference that
 * matches it (consumer, purpose, record type). The consent's state is the node's to check.
 */
function checkEnvelopeConsent(envelope: RequestEnvelope, agreedBasis: string): void {
  const mismatch = (why: string) => new HubError('ERR_CONSENT_ENVELOPE_MISMATCH', `request refused by the provider: ${why}`);
  if (envelope.lawfulBasis !== agreedBasis) throw mismatch(`lawful basis ${envelope.lawfulBasis} is not the agreement's (${agreedBasis})`);
  if (agreedBasis !== 'consent') return;
  const consent = envelope.consent;
  if (!consent) throw mismatch('the agreement rests on consent but the request names none');
  if (consent.consumer !== envelope.consumer || !consent.purposes.includes(envelope.purpose) || !consent.recordTypes.includes(envelope.recordType)) {
    throw mismatch(`consent ${consent.id} does not match the request`);
  }
}

/** What the backend gave, before the provider signs its receipt. */
type Fetched = Exclude<ResponseOutcome, { outcome: 'delivered' }> | Omit<Extract<ResponseOutcome, { outcome: 'delivered' }>, 'receipt'>;

export async function fetchOutcome(deps: HandlerDeps, envelope: RequestEnvelope, now: number): Promise<Fetched> {
  try {
    const validate = deps.policy.recordValidators.get(envelope.recordType);
    if (!validate || deps.policy.recordTypes.get(envelope.recordType)?.provider !== deps.agencyId) {
      throw new HubError('ERR_UNKNOWN_RECORD_TYPE', `${deps.agencyId} does not provide ${envelope.recordType}`);
    }
    // Provider-side check: the agreement must allow this too. The hub signed
    // the request, but a provider does not hand out data on the hub's word alone.
    const decision = decide(deps.policy, { consumer: envelope.consumer, recordType: envelope.recordType, purpose: envelope.purpose, fields: envelope.fields, now }, PROVIDER_SIDE);
    // The provider cannot see consent state; it checks everything else, and that a consent-based request names one.
    if (decision.effect === 'deny' && !decision.reason.startsWith('ERR_CONSENT_')) throw denyError(decision);
    if (decision.effect === 'permit' && decision.provider !== deps.agencyId) throw new HubError('ERR_NO_AGREEMENT', `${envelope.recordType} is not provided by ${deps.agencyId}`);
    checkEnvelopeConsent(envelope, decision.effect === 'deny' ? 'consent' : decision.basis.basis);
    const record = await deps.backend.fetch(envelope.recordType, envelope.subject, envelope.exp - now);
    if (record === undefined) throw new HubError('ERR_RECORD_NOT_FOUND', `${deps.agencyId} holds no ${envelope.recordType} record for this subject`);
    if (!validate(record)) {
      throw new HubError('ERR_RECORD_SCHEMA_INVALID', `record fails the ${envelope.recordType} schema at ${firstSchemaError(validate)}`);
    }
    const fields = envelope.fields.filter((f) => Object.hasOwn(record, f));
    return { outcome: 'delivered', fields, record: Object.fromEntries(fields.map((f) => [f, record[f]])) };
  } catch (error) {
    // A backend's own error text may carry SQL, record content or the subject: it never leaves the connector.
    const e = isHubError(error) ? error : new HubError('ERR_BACKEND_UNAVAILABLE', 'agency backend failed with an unexpected error');
    return { outcome: 'error', error: { code: e.code, message: e.message } };
  }
}
