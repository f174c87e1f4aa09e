import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/**
 * C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 keys: the text,
 * a blank line, then `— <name> <base64(key id ‖ signature)>` lines. The key id
 * is the first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key).
 */
const ED25519 = 0x01;
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface NoteSigner {
  name: string;
  keyId: Buffer;
  privateKey: KeyObject;
}

export interface NoteVerifier {
  name: string;
  keyId: Buffer;
  publicKey: KeyObject;
}

export function keyId(name: string, publicKey: Buffer): Buffer {
  return createHash('sha256').update(name).update(Buffer.from([0x0a, ED25519])).update(publicKey).digest().subarray(0, 4);
}

/** A signer from an Ed25519 key object (e.g. the hub key). */
export function noteSigner(name: string, privateKey: KeyObject): NoteSigner {
  if (!/^[^\s+]+$/.test(name)) throw new Error('a note key name has no spaces or plus signs');
  const raw = rawPublicKey(createPublicKey(privateKey));
  return { name, keyId: keyId(name, raw), privateKey };
}

/** The verifier that checks what `signer` signs. */
export function verifierOf(signer: NoteSigner): NoteVerifier {
  return { name: signer.name, keyId: signer.keyId, publicKey: createPublicKey(signer.privateKey) };
}

/** Parses a verifier key `<name>+<hex key id>+<base64(0x01 ‖ public key)>`. */
export function parseVerifierKey(vkey: string): NoteVerifier {
  // The base64 part may itself contain '+': split off only the first two fields.
  const [name, hash, ...rest] = vkey.split('+');
  const material = rest.join('+');
  if (!name || !hash || !material) throw new Error('verifier key must be <name>+<hex key id>+<base64 key>');
  const bytes = Buffer.from(material, 'base64');
  if (bytes.length !== 33 || bytes[0] !== ED25519) throw new Error('verifier key is not an Ed25519 key');
  const publicKey = bytes.subarray(1);
  const id = keyId(name, publicKey);
  if (id.toString('hex') !== hash) throw new Error('verifier key id does not match its key');
  return { name, keyId: id, publicKey: createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' }) };
}

/** Parses a signer key `PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 ‖ seed)>`, as Go's sumdb/note writes it. */
export function parseSignerKey(skey: string): NoteSigner {
  const parts = skey.split('+');
  if (parts.length < 5 || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY') throw new Error('signer key must be PRIVATE+KEY+<name>+<hex>+<base64>');
  const seed = Buffer.from(parts.slice(4).join('+'), 'base64');
  if (seed.length !== 33 || seed[0] !== ED25519) throw new Error('signer key is not an Ed25519 key');
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed.subarray(1)]);
  return noteSigner(parts[2]!, createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }));
}

export function verifierKeyString(signer: NoteSigner): string {
  return verifierKeyOf(verifierOf(signer));
}

/** The verifier key `<name>+<hex key id>+<base64(0x01 ‖ public key)>` that `parseVerifierKey` reads, from public material only. */
export function verifierKeyOf(verifier: NoteVerifier): string {
  const raw = rawPublicKey(verifier.publicKey);
  return `${verifier.name}+${verifier.keyId.toString('hex')}+${Buffer.concat([Buffer.from([ED25519]), raw]).toString('base64')}`;
}

export function signNote(text: string, signer: NoteSigner): string {
  if (!text.endsWith('\n')) throw new Error('note text must end with a newline');
  const signature = sign(null, Buffer.from(text), signer.privateKey);
  return `${text}\n— ${signer.name} ${Buffer.concat([signer.keyId, signature]).toString('base64')}\n`;
}

/** The text of a signed note, without checking any signature (to read what a verified note said). */
export function noteText(note: string): string {
  return note.slice(0, note.lastIndexOf('\n\n') + 1);
}

/** Returns the note's text if a signature by `verifier` verifies; throws with the reason otherwise. */
export function openNote(note: string, verifier: NoteVerifier): string {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new Error('malformed note: no signature block');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  for (const line of lines) {
    const match = /^— (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!match) throw new Error('malformed note: bad signature line');
    if (match[1] !== verifier.name) continue;
    const blob = Buffer.from(match[2]!, 'base64');
    if (!blob.subarray(0, 4).equals(verifier.keyId)) continue;
    if (verify(null, Buffer.from(text), verifier.publicKey, blob.subarray(4))) return text;
    throw new Error(`signature by ${verifier.name} does not verify`);
  }
  throw new Error(`note is not signed by ${verifier.name}`);
}

function rawPublicKey(key: KeyObject): Buffer {
  return Buffer.from(key.export({ format: 'der', type: 'spki' })).subarray(ED25519_SPKI_PREFIX.length);
}
