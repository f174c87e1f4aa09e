import type { CryptoKey } from 'jose';
import type { KeyRing } from '../../crypto/key-ring.ts';
import type { SigningKey } from '../../crypto/keys.ts';
import { canonicalJson, sha256b64url } from '../../crypto/digest.ts';
import { HubError } from '../../errors/hub-error.ts';
import { leafHash } from '../../merkle/hash.ts';
import { allInclusionProofs } from '../../merkle/tree.ts';
import { verifyInclusion } from '../../merkle/verify.ts';
import { firstSchemaError } from '../../schema-error.ts';
import { signJson, verifyJson } from '../jws.ts';
import { HUB_KEY_OWNER } from '../request-envelope.ts';
import { subjectDigest } from '../response-envelope.ts';
import { validateBulkReplyMessage, validateBulkReplyPayload, validateBulkRequest } from './bulk-schemas.ts';
import { BULK_REPLY_TYP, BULK_REQUEST_TYP, type BulkReplyItem, type BulkReplyMessage, type BulkReplyPayload, type BulkRequestEnvelope } from './bulk.types.ts';

export function signBulkRequest(envelope: BulkRequestEnvelope, hubKey: SigningKey): Promise<string> {
  return signJson(envelope, hubKey, BULK_REQUEST_TYP);
}

/** Connector side: the batch must carry a valid hub signature, the right shape, be for this provider and not expired. */
export async function verifyBulkRequest(jws: string, keys: KeyRing, provider: string, now: number = Date.now()): Promise<BulkRequestEnvelope> {
  const checked = await verifyJson(jws, BULK_REQUEST_TYP, (kid) => keys.find(HUB_KEY_OWNER, kid));
  if (!checked.ok) {
    throw new HubError(checked.reason === 'malformed' ? 'ERR_ENVELOPE_MALFORMED' : 'ERR_ENVELOPE_SIGNATURE_INVALID', `bulk request rejected: ${checked.detail}`);
  }
  if (!validateBulkRequest(checked.payload)) throw new HubError('ERR_ENVELOPE_MALFORMED', `bulk request ${firstSchemaError(validateBulkRequest)}`);
  const envelope = checked.payload;
  if (envelope.provider !== provider) throw new HubError('ERR_ENVELOPE_MALFORMED', `bulk request is addressed to ${envelope.provider}, not ${provider}`);
  if (envelope.exp <= now) throw new HubError('ERR_ENVELOPE_EXPIRED', `bulk request expired ${now - envelope.exp} ms ago`);
  if (new Set(envelope.items.map((i) => i.exchangeId)).size !== envelope.items.length) throw new HubError('ERR_ENVELOPE_MALFORMED', 'bulk request repeats an exchange id');
  return envelope;
}

/**
 * The leaf of one item in the provider's batch tree: RFC 8785 canonical JSON
 * of what the provider attests for it. A delivered record is attested by the
 * SHA-256 of its canonical JSON; the person by a digest salted with the
 * exchange id, which the consumer, who knows the subject, can recompute.
 */
export function bulkLeaf(exchangeId: string, subject: string, item: { outcome: 'delivered'; fields: string[]; payloadDigest: string } | { outcome: 'error'; code: string }): string {
  const common = { exchangeId, subjectDigest: subjectDigest(exchangeId, subject) };
  return canonicalJson(item.outcome === 'delivered' ? { ...common, outcome: 'delivered', fields: item.fields, payloadDigest: item.payloadDigest } : { ...common, outcome: 'error', code: item.code });
}

function leavesOf(request: BulkRequestEnvelope, items: BulkReplyItem[]): Buffer[] {
  return items.map((item, i) => {
    const subject = request.items[i]!.subject;
    const leaf =
      item.outcome === 'delivered'
        ? bulkLeaf(item.exchangeId, subject, { outcome: 'delivered', fields: item.fields, payloadDigest: sha256b64url(canonicalJson(item.record)) })
        : bulkLeaf(item.exchangeId, subject, { outcome: 'error', code: item.error.code });
    return leafHash(Buffer.from(leaf));
  });
}

/** Connector side: one signature for the whole batch, over the tree of its items' leaves. */
export async function signBulkReply(request: BulkRequestEnvelope, requestJws: string, items: BulkReplyItem[], providerKey: SigningKey): Promise<BulkReplyMessage> {
  const { root } = allInclusionProofs(leavesOf(request, items));
  const payload: BulkReplyPayload = {
    v: 1,
    batchId: request.batchId,
    provider: request.provider,
    consumer: request.consumer,
    recordType: request.recordType,
    requestDigest: sha256b64url(requestJws),
    size: items.length,
    root: root.toString('base64url'),
    iat: Date.now(),
  };
  return { v: 1, jws: await signJson(payload, providerKey, BULK_REPLY_TYP), items };
}

/** A verified item with what its consumer needs to prove it: the leaf's place in the signed tree. */
export interface VerifiedBulkItem {
  item: BulkReplyItem;
  leafIndex: number;
  path: string[];
}

/**
 * Node side. The message is attacker-controlled: it must parse, carry the
 * provider's signature over a payload bound to this very request, answer every
 * item in order and no other, deliver no field beyond the allowed set (each
 * record exactly the fields it declares), and its items must hash to the
 * signed root. Any failure refuses the whole reply, naming why.
 */
export async function verifyBulkReply(value: string, keys: KeyRing, request: BulkRequestEnvelope, requestJws: string): Promise<{ payload: BulkReplyPayload; jws: string; kid: string; items: VerifiedBulkItem[] }> {
  const refuse = (why: string, code: 'ERR_PROVIDER_SIGNATURE_INVALID' | 'ERR_PROVIDER_BINDING_MISMATCH' = 'ERR_PROVIDER_BINDING_MISMATCH') =>
    new HubError(code, `bulk reply from ${request.provider} rejected: ${why}`);
  let message: unknown;
  try {
    message = JSON.parse(value);
  } catch {
    throw refuse('not JSON');
  }
  if (!validateBulkReplyMessage(message)) throw refuse(`malformed: ${firstSchemaError(validateBulkReplyMessage)}`);
  const checked = await verifyJson(message.jws, BULK_REPLY_TYP, (kid) => keys.find(request.provider, kid));
  if (!checked.ok) throw refuse(checked.detail, 'ERR_PROVIDER_SIGNATURE_INVALID');
  if (!validateBulkReplyPayload(checked.payload)) throw refuse(`payload ${firstSchemaError(validateBulkReplyPayload)}`);
  const payload = checked.payload;
  const bound =
    payload.batchId === request.batchId &&
    payload.provider === request.provider &&
    payload.consumer === request.consumer &&
    payload.recordType === request.recordType &&
    payload.requestDigest === sha256b64url(requestJws);
  if (!bound) throw refuse('it does not answer this batch (batch id, parties, record type or request digest differ)');
  const { items } = message;
  if (payload.size !== request.items.length || items.length !== request.items.length) throw refuse(`it answers ${items.length} items of ${request.items.length}`);
  const allowed = new Set(request.fields);
  items.forEach((item, i) => {
    if (item.exchangeId !== request.items[i]!.exchangeId) throw refuse(`item ${i} answers another exchange`);
    if (item.outcome !== 'delivered') return;
    const extra = item.fields.filter((f) => !allowed.has(f));
    if (extra.length > 0) throw refuse(`item ${i} delivers fields beyond the allowed set: ${extra.join(', ')}`);
    const keysOf = Object.keys(item.record).sort();
    if (keysOf.join('\u0000') !== [...item.fields].sort().join('\u0000')) throw refuse(`item ${i}'s record does not hold exactly the fields it declares`);
  });
  const { root, paths } = allInclusionProofs(leavesOf(request, items));
  if (root.toString('base64url') !== payload.root) throw refuse('the items do not hash to the signed root', 'ERR_PROVIDER_SIGNATURE_INVALID');
  return { payload, jws: message.jws, kid: checked.kid, items: items.map((item, i) => ({ item, leafIndex: i, path: paths[i]!.map((h) => h.toString('base64url')) })) };
}

/** One record as the consumer got it from a bulk job. */
export interface BulkRecordClaim {
  exchangeId: string;
  providerId: string;
  subject: string;
  recordJson: string;
  fields: string[];
  proof: { providerSignature: string; leafIndex: number; treeSize: number; path: string[] };
}

/**
 * Consumer side, offline: is this record the provider's, for this person and
 * exchange? Recomputes the leaf from the record and the subject, proves it is
 * in the signed tree, and verifies the provider's signature over the root with
 * the provider's registered key. Returns what failed, or undefined.
 */
export async function checkBulkRecord(claim: BulkRecordClaim, findKey: (provider: string, kid: string) => CryptoKey | undefined): Promise<string | undefined> {
  const checked = await verifyJson(claim.proof.providerSignature, BULK_REPLY_TYP, (kid) => findKey(claim.providerId, kid));
  if (!checked.ok) return `the provider's signature: ${checked.detail}`;
  if (!validateBulkReplyPayload(checked.payload)) return 'the signed payload is not a bulk reply';
  const payload = checked.payload;
  if (payload.provider !== claim.providerId) return `signed by ${claim.providerId} for ${payload.provider}`;
  if (payload.size !== claim.proof.treeSize) return 'the tree size differs from the signed one';
  let record: unknown;
  try {
    record = JSON.parse(claim.recordJson);
  } catch {
    return 'the record is not JSON';
  }
  const leaf = bulkLeaf(claim.exchangeId, claim.subject, { outcome: 'delivered', fields: claim.fields, payloadDigest: sha256b64url(canonicalJson(record)) });
  const path = claim.proof.path.map((h) => Buffer.from(h, 'base64url'));
  if (!verifyInclusion(claim.proof.leafIndex, claim.proof.treeSize, leafHash(Buffer.from(leaf)), path, Buffer.from(payload.root, 'base64url'))) {
    return 'the record, person or exchange is not the one the provider signed (inclusion proof fails)';
  }
  return undefined;
}
