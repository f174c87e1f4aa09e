import { KeyObject, sign, verify } from 'node:crypto';
import { CanonicalObject, canonicalJson, isCanonicalText } from './digest.ts';
import { leafHash } from '../merkle/hash.ts';
import { allInclusionProofs } from '../merkle/tree.ts';
import { verifyInclusion } from '../merkle/verify.ts';
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

/**
 * One signature for many records: the Ed25519 signature over the RFC 9162
 * Merkle tree hash of the records' leaves, and this record's place in it.
 */
export interface SignatureBatch {
  /** The tree hash, base64url. */
  root: string;
  size: number;
  index: number;
  /** The inclusion proof of this record's leaf, base64url hashes. */
  path: string[];
  /** Ed25519 over `domain/batch ‖ LF ‖ size ‖ LF ‖ root`, base64url. */
  sig: string;
}

/** A signed record: the body's fields plus who signed it (`nodeId`, `kid`) and `sig`, or `sigBatch` for a record signed in a batch. */
export interface SignedFields {
  nodeId: string;
  kid: string;
  sig?: string;
  sigBatch?: SignatureBatch;
}

/** The most records under one batch signature: keeps each record's proof at most 8 hashes. */
export const MAX_SIGNATURE_BATCH = 256;

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
    const unsigned = new CanonicalObject({ ...body, nodeId: this.nodeId, kid: this.kid });
    const sig = sign(null, signingInput(domain, unsigned.text), this.key).toString('base64url');
    return unsigned.with('sig', sig);
  }

  /**
   * Signs many records with one signature: each record's leaf is
   * SHA-256(0x00 ‖ domain ‖ LF ‖ canonical JSON of the body with nodeId and
   * kid), the leaves make an RFC 9162 tree, its hash is signed once, and each
   * record carries its inclusion proof (`sigBatch`), so each is still checked
   * on its own. A lone record gets a plain `sig`.
   */
  signBatch<T extends object>(domain: RecordDomain, bodies: T[]): string[] {
    if (bodies.length > MAX_SIGNATURE_BATCH) throw new RangeError(`at most ${MAX_SIGNATURE_BATCH} records per signature batch`);
    if (bodies.length === 1) return [this.sign(domain, bodies[0]!)];
    const unsigned = bodies.map((body) => new CanonicalObject({ ...body, nodeId: this.nodeId, kid: this.kid }));
    const leaves = unsigned.map((u) => leafHash(signingInput(domain, u.text)));
    const { root, paths } = allInclusionProofs(leaves);
    const rootText = root.toString('base64url');
    const sig = sign(null, batchInput(domain, bodies.length, rootText), this.key).toString('base64url');
    return unsigned.map((u, index) => u.with('sigBatch', { root: rootText, size: bodies.length, index, path: paths[index]!.map((h) => h.toString('base64url')), sig }));
  }
}

/**
 * Signs records as they are written, many to a signature: records handed in
 * during one turn of the event loop are signed together when it ends (at most
 * MAX_SIGNATURE_BATCH at a time), in the order they came. Under load that is
 * one Ed25519 signature, and one check by every reader, for many records; a
 * lone record costs what it did.
 */
export class RecordBatcher {
  private readonly signer: RecordSigner;
  private readonly domain: RecordDomain;
  private pending: { body: object; resolve: (value: string) => void }[] = [];

  constructor(signer: RecordSigner, domain: RecordDomain) {
    this.signer = signer;
    this.domain = domain;
  }

  sign(body: object): Promise<string> {
    return new Promise((resolve) => {
      this.pending.push({ body, resolve });
      if (this.pending.length === 1) setImmediate(() => this.flush());
      else if (this.pending.length >= MAX_SIGNATURE_BATCH) this.flush();
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const values = this.signer.signBatch(this.domain, batch.map((p) => p.body));
    batch.forEach((p, i) => p.resolve(values[i]!));
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
  const { sig, sigBatch, ...unsigned } = parsed as Record<string, unknown>;
  const { nodeId, kid } = unsigned;
  if (typeof nodeId !== 'string' || typeof kid !== 'string' || (typeof sig !== 'string' && sigBatch === undefined)) return { ok: false, reason: 'unsigned: no nodeId, kid and sig' };
  if (sig !== undefined && sigBatch !== undefined) return { ok: false, reason: 'both sig and sigBatch: one signature form only' };
  const key = keys(nodeId, kid);
  if (!key) return { ok: false, reason: `signed by an unknown node or key (node ${clipId(nodeId)}, kid ${clipId(kid)})` };
  if (!isCanonicalText(parsed, text)) return { ok: false, reason: 'not in canonical form (RFC 8785)' };
  const signer = `node ${clipId(nodeId)}'s key ${clipId(kid)}`;
  if (typeof sig === 'string') {
    const valid = verify(null, signingInput(domain, withoutMember(text, 'sig', JSON.stringify(sig)) ?? canonicalJson(unsigned)), key, Buffer.from(sig, 'base64url'));
    if (!valid) return { ok: false, reason: `signature does not verify with ${signer}` };
  } else {
    const batch = readBatch(sigBatch);
    if (!batch) return { ok: false, reason: 'sigBatch is not a signature batch (root, size, index, path, sig)' };
    const leaf = leafHash(signingInput(domain, withoutMember(text, 'sigBatch', canonicalJson(sigBatch)) ?? canonicalJson(unsigned)));
    const path = batch.path.map((h) => Buffer.from(h, 'base64url'));
    if (!verifyInclusion(batch.index, batch.size, leaf, path, Buffer.from(batch.root, 'base64url'))) return { ok: false, reason: `the record is not in the batch its signature covers (inclusion proof fails)` };
    if (!batchSignatureValid(domain, batch, key, `${nodeId}\u0000${kid}`)) return { ok: false, reason: `batch signature does not verify with ${signer}` };
  }
  return { ok: true, value: parsed as Record<string, unknown> & SignedFields };
}

const BASE64URL_HASH = /^[A-Za-z0-9_-]{43}$/;

/** The shape of a `sigBatch`, checked before any of it is used. */
function readBatch(value: unknown): SignatureBatch | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const b = value as Record<string, unknown>;
  if (Object.keys(b).length !== 5) return undefined;
  const { root, size, index, path, sig } = b;
  if (typeof root !== 'string' || !BASE64URL_HASH.test(root) || typeof sig !== 'string' || !/^[A-Za-z0-9_-]{86}$/.test(sig)) return undefined;
  if (!Number.isInteger(size) || !Number.isInteger(index) || (size as number) < 2 || (size as number) > MAX_SIGNATURE_BATCH || (index as number) < 0 || (index as number) >= (size as number)) return undefined;
  if (!Array.isArray(path) || path.length > 8 || !path.every((h) => typeof h === 'string' && BASE64URL_HASH.test(h))) return undefined;
  return { root, size: size as number, index: index as number, path: path as string[], sig };
}

/**
 * Batch signatures already checked, by signer and signed bytes: each record of
 * a batch proves its own inclusion, but the signature over the root is
 * checked once. Only successes are kept, and only the latest few thousand.
 */
const checkedBatches = new Set<string>();
const MAX_CHECKED_BATCHES = 4096;

function batchSignatureValid(domain: RecordDomain, batch: SignatureBatch, key: KeyObject, signer: string): boolean {
  const id = `${signer}\u0000${domain}\u0000${batch.size}\u0000${batch.root}\u0000${batch.sig}`;
  if (checkedBatches.has(id)) return true;
  if (!verify(null, batchInput(domain, batch.size, batch.root), key, Buffer.from(batch.sig, 'base64url'))) return false;
  if (checkedBatches.size >= MAX_CHECKED_BATCHES) checkedBatches.delete(checkedBatches.values().next().value!);
  checkedBatches.add(id);
  return true;
}

/** What a batch signature signs: never the input of a single record's signature (that is `domain` LF `{`…). */
function batchInput(domain: RecordDomain, size: number, root: string): Buffer {
  return Buffer.from(`${domain}/batch\n${size}\n${root}`, 'utf8');
}

/**
 * The canonical text of the object without one top-level member, cut from
 * the canonical text itself: RFC 8785 writes each member on its own, so this
 * equals canonicalising the rest again (one canonicalisation saved per record
 * on every reader). If the cut lands anywhere else the signature fails: closed.
 */
function withoutMember(canonical: string, name: string, valueText: string): string | undefined {
  const member = `${JSON.stringify(name)}:${valueText}`;
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
