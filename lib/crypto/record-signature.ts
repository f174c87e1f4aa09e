import { KeyObject, sign, verify } from 'node:crypto';
import { canonicalJson } from './digest.ts';
import type { SigningKey } from './keys.ts';

/**
 * What a signature on a Kafka record is for. The domain is part of the signed
 * bytes, so a consent event's signature can never pass as an audit entry's.
 */
export const RECORD_DOMAINS = {
  auditEntry: 'xhub/audit-entry/v1',
  consentEvent: 'xhub/consent-event/v1',
  claim: 'xhub/claim/v1',
} as const;
export type RecordDomain = (typeof RECORD_DOMAINS)[keyof typeof RECORD_DOMAINS];

/** A signed record: the body's fields plus who signed it (`nodeId`, `kid`) and `sig`. */
export interface SignedFields {
  nodeId: string;
  kid: string;
  sig: string;
}

/** Signs records as one node, with a key object made once (Ed25519 through node:crypto). */
export class RecordSigner {
  private readonly key: KeyObject;

  readonly nodeId: string;

  constructor(nodeId: string, signingKey: SigningKey) {
    this.nodeId = nodeId;
    this.key = KeyObject.from(signingKey.key);
    this.kid = signingKey.kid;
  }

  readonly kid: string;

  /**
   * The record's bytes: RFC 8785 canonical JSON of the body with `nodeId`,
   * `kid` and `sig`, where sig = Ed25519(domain ‖ LF ‖ canonical JSON of the
   * body with nodeId and kid), base64url.
   */
  sign<T extends object>(domain: RecordDomain, body: T): string {
    const unsigned = { ...body, nodeId: this.nodeId, kid: this.kid };
    const sig = sign(null, signingInput(domain, canonicalJson(unsigned)), this.key).toString('base64url');
    return canonicalJson({ ...unsigned, sig });
  }
}

/** Finds a node's public key by node id and key id. */
export type NodeKeyLookup = (nodeId: string, kid: string) => KeyObject | undefined;

export type VerifiedRecord = { ok: true; value: Record<string, unknown> & SignedFields } | { ok: false; reason: string };

/**
 * Checks a record read from Kafka before anything believes it. Attacker-
 * controlled: anyone who can write the topic can put any bytes there. The
 * record must be canonical JSON (so one signed fact has exactly one byte
 * form) and carry a valid signature by a node the policy registers.
 */
export function verifyRecord(domain: RecordDomain, raw: Buffer | string, keys: NodeKeyLookup): VerifiedRecord {
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, reason: 'not a JSON object' };
  const { sig, ...unsigned } = parsed as Record<string, unknown>;
  const { nodeId, kid } = unsigned;
  if (typeof sig !== 'string' || typeof nodeId !== 'string' || typeof kid !== 'string') return { ok: false, reason: 'unsigned: no nodeId, kid and sig' };
  const key = keys(nodeId, kid);
  if (!key) return { ok: false, reason: `signed by an unknown node or key (node ${clipId(nodeId)}, kid ${clipId(kid)})` };
  let canonical: string;
  try {
    canonical = canonicalJson(parsed);
  } catch {
    return { ok: false, reason: 'not canonicalisable JSON' };
  }
  if (canonical !== text) return { ok: false, reason: 'not in canonical form (RFC 8785)' };
  const valid = verify(null, signingInput(domain, withoutMember(text, 'sig', sig) ?? canonicalJson(unsigned)), key, Buffer.from(sig, 'base64url'));
  if (!valid) return { ok: false, reason: `signature does not verify with node ${clipId(nodeId)}'s key ${clipId(kid)}` };
  return { ok: true, value: parsed as Record<string, unknown> & SignedFields };
}

/**
 * The canonical text of the object without one top-level member, cut from
 * the canonical text itself: RFC 8785 writes each member on its own, so this
 * equals canonicalising the rest again (one canonicalisation saved per record
 * on every reader). If the cut lands anywhere else the signature fails: closed.
 */
function withoutMember(canonical: string, name: string, value: string): string | undefined {
  const member = `${JSON.stringify(name)}:${JSON.stringify(value)}`;
  if (canonical.includes(`,${member}`)) return canonical.replace(`,${member}`, '');
  if (canonical.includes(`${member},`)) return canonical.replace(`${member},`, '');
  return undefined;
}

function signingInput(domain: RecordDomain, canonical: string): Buffer {
  return Buffer.from(`${domain}\n${canonical}`, 'utf8');
}

/** Ids in reasons come from the record itself: keep them short. */
function clipId(id: string): string {
  return id.length > 64 ? `${id.slice(0, 64)}…` : id;
}
