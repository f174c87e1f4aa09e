import type { JWK } from 'jose';
import { HubError } from '../../lib/errors/hub-error.ts';
import { verifierKeyOf, type NoteVerifier } from '../../lib/merkle/signed-note.ts';
import { nodeKeyOwner } from '../../policies/policy-loader.ts';
import type { Policy } from '../../policies/policy.types.ts';
import type { AuditEntry } from '../audit/audit-entry.types.ts';
import type { AuditIndex } from '../audit/audit-index.ts';
import { EVIDENCE_FORMAT, type EvidenceBundle } from './evidence.types.ts';

/** Exchange ids are UUIDs (the node makes them with randomUUID). */
export const EXCHANGE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The evidence bundle of one exchange, from an audit node's index: every
 * signed entry of the exchange with its inclusion proof up to the newest
 * signed checkpoint. Refuses (retryably) while that checkpoint does not yet
 * cover all of them: a bundle is only ever as strong as a signed root.
 */
export function buildEvidenceFor(index: AuditIndex, policy: Policy, exchangeId: string, logVerifier: NoteVerifier): EvidenceBundle {
  if (!EXCHANGE_ID.test(exchangeId)) throw new HubError('ERR_INVALID_ARGUMENT', 'exchange_id must be an exchange id as the hub hands it out (a lower-case UUID)');
  const rows = index.exchangeEntries(exchangeId);
  if (rows.length === 0) throw new HubError('ERR_NOT_FOUND', `no audit entries for exchange ${exchangeId} on this audit node`);
  const checkpoint = index.latestCheckpoint();
  const last = rows.at(-1)!.index;
  if (!checkpoint || checkpoint.size <= last) {
    throw new HubError('ERR_AUDIT_UNAVAILABLE', `the last entry of exchange ${exchangeId} (log index ${last}) is not yet under a signed checkpoint; checkpoints follow within seconds: retry shortly`);
  }
  const entries = rows.map((r) => JSON.parse(r.raw.toString('utf8')) as AuditEntry);
  const nodes: Record<string, JWK> = {};
  const providers: Record<string, JWK> = {};
  for (const e of entries) {
    nodes[`${e.nodeId} ${e.kid}`] ??= publicJwk(policy, nodeKeyOwner(e.nodeId), e.kid);
    if (e.provider && e.providerKeyId) providers[`${e.provider} ${e.providerKeyId}`] ??= publicJwk(policy, e.provider, e.providerKeyId);
  }
  const tokenDigest = entries.find((e) => e.kind === 'request-received')?.tokenDigest;
  const providerReceipt = entries.find((e) => e.kind === 'delivered')?.providerReceipt;
  return {
    format: EVIDENCE_FORMAT,
    exchangeId,
    checkpoint: checkpoint.note,
    entries: rows.map((r) => ({ index: r.index, bytes: r.raw.toString('base64'), inclusionProof: index.inclusionProof(r.index, checkpoint.size).map((h) => h.toString('base64')) })),
    ...(tokenDigest ? { tokenDigest } : {}),
    ...(providerReceipt ? { providerReceipt } : {}),
    keys: { log: verifierKeyOf(logVerifier), nodes, providers },
  };
}

function publicJwk(policy: Policy, owner: string, kid: string): JWK {
  const key = policy.keys.findKeyObject(owner, kid);
  if (!key) throw new HubError('ERR_NOT_FOUND', `key ${kid} of ${owner} is not in the current policy: the bundle could not be checked by anybody`);
  return { ...(key.export({ format: 'jwk' }) as JWK), kid };
}
