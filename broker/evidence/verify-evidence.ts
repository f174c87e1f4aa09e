import { Ajv } from 'ajv';
import type { JWK } from 'jose';
import { canonicalJson } from '../../lib/crypto/digest.ts';
import { KeyRing } from '../../lib/crypto/key-ring.ts';
import { readReceipt } from '../../lib/envelope/receipt.ts';
import { isHubError } from '../../lib/errors/hub-error.ts';
import { parseCheckpoint, type Checkpoint } from '../../lib/merkle/checkpoint.ts';
import { leafHash } from '../../lib/merkle/hash.ts';
import { openNote, parseVerifierKey, verifierKeyOf, type NoteVerifier } from '../../lib/merkle/signed-note.ts';
import { verifyInclusion } from '../../lib/merkle/verify.ts';
import { nodeKeyOwner } from '../../policies/policy-loader.ts';
import type { AuditEntry } from '../audit/audit-entry.types.ts';
import { readAuditEntry } from '../audit/audit-schema.ts';
import { EVIDENCE_FORMAT, type EvidenceBundle } from './evidence.types.ts';

/** The keys a bundle is checked against: the log's verifier key, and the nodes' and agencies' public keys. */
export interface EvidenceTrust {
  log: NoteVerifier;
  /** Owners: `node:<nodeId>` for entry signers, the agency id for receipt signers. */
  keys: KeyRing;
  /** False when the keys came from the bundle itself: then only its inner consistency is shown. */
  anchored: boolean;
}

export type EvidenceReport =
  | { ok: true; exchangeId: string; origin: string; checkpointSize: number; kinds: string[]; receipt: boolean; anchored: boolean }
  | { ok: false; check: string; reason: string };

// A bundle is attacker-controlled until checked: shape first, and nothing in it that no check covers.
const ajv = new Ajv({ strict: true });
const b64 = { type: 'string', pattern: '^[A-Za-z0-9+/]*={0,2}$', maxLength: 1_000_000 } as const;
const validateBundle = ajv.compile<EvidenceBundle>({
  type: 'object',
  additionalProperties: false,
  required: ['format', 'exchangeId', 'checkpoint', 'entries', 'keys'],
  properties: {
    format: { type: 'string' },
    exchangeId: { type: 'string', maxLength: 128 },
    checkpoint: { type: 'string', maxLength: 4096 },
    entries: {
      type: 'array',
      minItems: 1,
      maxItems: 10_000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['index', 'bytes', 'inclusionProof'],
        properties: { index: { type: 'integer', minimum: 0 }, bytes: b64, inclusionProof: { type: 'array', maxItems: 64, items: b64 } },
      },
    },
    tokenDigest: { type: 'string', maxLength: 64 },
    providerReceipt: { type: 'string', maxLength: 16_384 },
    keys: {
      type: 'object',
      additionalProperties: false,
      required: ['log', 'nodes', 'providers'],
      properties: { log: { type: 'string', maxLength: 1024 }, nodes: { type: 'object' }, providers: { type: 'object' } },
    },
  },
});

/**
 * Base64 in its one canonical form: Node's decoder ignores the unused low bits
 * of the last character, so without this a changed character could decode to
 * the same bytes and a one-character edit would pass.
 */
function decode(text: string, at: string, what: string, length?: number): Buffer {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) fail(at, `${what} is not canonical base64`);
  if (length !== undefined && bytes.length !== length) fail(at, `${what} must be ${length} bytes`);
  return bytes;
}

class Failed extends Error {
  readonly check: string;
  constructor(check: string, reason: string) {
    super(reason);
    this.check = check;
  }
}
const fail = (check: string, reason: string): never => {
  throw new Failed(check, reason);
};

/**
 * Checks an evidence bundle with no access to the hub (docs/evidence-bundle.md):
 * the checkpoint's signature, each entry's bytes against its inclusion proof
 * and its node's signature, that every entry is of this exchange, the token
 * digest, and the provider's receipt against the delivery entry. Names the
 * first check that fails.
 */
export async function verifyEvidence(input: unknown, trust: EvidenceTrust): Promise<EvidenceReport> {
  try {
    return await check(input, trust);
  } catch (error) {
    if (error instanceof Failed) return { ok: false, check: error.check, reason: error.message };
    throw error;
  }
}

async function check(input: unknown, trust: EvidenceTrust): Promise<EvidenceReport> {
  if (!validateBundle(input)) fail('format', `not an evidence bundle: ${ajv.errorsText(validateBundle.errors)}`);
  const bundle = input as EvidenceBundle;
  const format: unknown = (input as { format: unknown }).format;
  if (format !== EVIDENCE_FORMAT) fail('format', `format is ${JSON.stringify(format)}, this verifier reads ${String(EVIDENCE_FORMAT)}`);

  let checkpoint: Checkpoint;
  try {
    checkpoint = parseCheckpoint(openNote(bundle.checkpoint, trust.log));
  } catch (error) {
    return fail('checkpoint', `the checkpoint is not signed by the trusted log key ${trust.log.name}: ${(error as Error).message}`);
  }

  const entries: AuditEntry[] = [];
  let previous = -1;
  for (const item of bundle.entries) {
    const at = `entry ${item.index}`;
    if (item.index <= previous) fail(at, 'entries must be in log order, each once');
    previous = item.index;
    if (item.index >= checkpoint.size) fail(at, `index is outside the checkpoint's tree of ${checkpoint.size} entries`);
    const raw = decode(item.bytes, at, 'its bytes');
    const proof = item.inclusionProof.map((h) => decode(h, at, 'a proof hash', 32));
    if (!verifyInclusion(item.index, checkpoint.size, leafHash(raw), proof, checkpoint.root)) fail(at, 'its bytes and inclusion proof do not lead to the checkpoint root: the entry or its proof was altered');
    const read = readAuditEntry(raw, (nodeId, kid) => trust.keys.findKeyObject(nodeKeyOwner(nodeId), kid));
    if ('code' in read) return fail(at, `not a signed entry of a trusted node: ${read.reason}`);
    if (read.entry.exchangeId !== bundle.exchangeId) fail(at, `belongs to exchange ${String(read.entry.exchangeId)}, not ${bundle.exchangeId}`);
    entries.push(read.entry);
  }

  const received = entries.find((e) => e.kind === 'request-received');
  if (!received) return fail('entries', 'no request-received entry: the bundle does not show the exchange from its start');
  if (bundle.tokenDigest !== received.tokenDigest) fail('token digest', "the bundle's token digest is not the one its request-received entry logged");
  const delivery = entries.find((e) => e.kind === 'delivered');
  if (bundle.providerReceipt !== delivery?.providerReceipt) fail('receipt of the delivered entry', "the bundle's provider receipt is not the one a delivered entry logged");
  checkEmbeddedKeys(bundle, entries, trust);

  let receipt = false;
  for (const e of entries.filter((x) => x.kind === 'delivered' || x.kind === 'replayed')) {
    const at = `receipt of the ${e.kind} entry`;
    if (!e.providerReceipt || !e.provider || !e.providerKeyId) return fail(at, 'the entry holds no provider receipt');
    try {
      await readReceipt(e.providerReceipt, (kid) => (kid === e.providerKeyId ? trust.keys.find(e.provider!, kid) : undefined), {
        exchangeId: bundle.exchangeId,
        provider: e.provider,
        consumer: e.consumer ?? '',
        recordType: e.recordType ?? '',
        payloadDigest: e.payloadDigest ?? '',
        fields: e.fields ?? [],
      });
    } catch (error) {
      return fail(at, isHubError(error) ? error.message : String(error));
    }
    receipt = true;
  }
  return { ok: true, exchangeId: bundle.exchangeId, origin: checkpoint.origin, checkpointSize: checkpoint.size, kinds: entries.map((e) => e.kind), receipt, anchored: trust.anchored };
}

/**
 * The keys the bundle embeds must be exactly those its entries and receipts
 * name, each equal to the trusted key: a court compares these fingerprints, so
 * they may not say anything the checks did not use.
 */
function checkEmbeddedKeys(bundle: EvidenceBundle, entries: AuditEntry[], trust: EvidenceTrust): void {
  if (bundle.keys.log !== verifierKeyOf(trust.log)) fail('keys', `the embedded log key is not the trusted one (${verifierKeyOf(trust.log)})`);
  const same = (kind: string, embedded: Record<string, JWK>, used: Set<string>, owner: (name: string) => string) => {
    const names = Object.keys(embedded).sort();
    if (JSON.stringify(names) !== JSON.stringify([...used].sort())) fail('keys', `the embedded ${kind} keys (${names.join(', ')}) are not the ones the entries name (${[...used].sort().join(', ')})`);
    for (const name of names) {
      const [who, kid] = name.split(' ');
      const trusted = trust.keys.findKeyObject(owner(who!), kid ?? '')?.export({ format: 'jwk' });
      // Exactly the trusted public key with its kid: no other member, no other value.
      const expected = trusted ? canonicalJson({ kty: trusted.kty, crv: trusted.crv, x: trusted.x, kid }) : undefined;
      if (canonicalJson(embedded[name]) !== expected) fail('keys', `the embedded ${kind} key "${name}" is not the trusted one`);
    }
  };
  same('node', bundle.keys.nodes, new Set(entries.map((e) => `${e.nodeId} ${e.kid}`)), nodeKeyOwner);
  same('provider', bundle.keys.providers, new Set(entries.filter((e) => e.provider && e.providerKeyId).map((e) => `${e.provider} ${e.providerKeyId}`)), (who) => who);
}

/**
 * Trust taken from the bundle itself: it shows only that the bundle is
 * consistent, not that the hub made it. Compare `keys.log` with the log's
 * published verifier key before relying on it.
 */
export async function embeddedTrust(input: unknown): Promise<EvidenceTrust> {
  const keys = (input as Partial<EvidenceBundle> | undefined)?.keys;
  if (!keys || typeof keys.log !== 'string') throw new Error('the bundle embeds no keys');
  const owners = new Map<string, JWK[]>();
  const add = (owner: string, jwk: JWK) => owners.set(owner, [...(owners.get(owner) ?? []), jwk]);
  for (const [name, jwk] of Object.entries(keys.nodes ?? {})) add(nodeKeyOwner(name.split(' ')[0]!), jwk);
  for (const [name, jwk] of Object.entries(keys.providers ?? {})) add(name.split(' ')[0]!, jwk);
  return { log: parseVerifierKey(keys.log), keys: await KeyRing.fromJwks([...owners].map(([owner, list]) => [owner, { keys: list }])), anchored: false };
}
