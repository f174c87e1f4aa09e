import type { JWK } from 'jose';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { parseCheckpoint, type Checkpoint } from '../../lib/merkle/checkpoint.ts';
import { keyId, openNote, type NoteVerifier } from '../../lib/merkle/signed-note.ts';

/**
 * What the sequencer publishes on the checkpoints topic: a C2SP checkpoint as
 * an Ed25519 signed note, plus the leaf hashes it adds since `from`. Anyone can
 * check the leaves hash to the signed root; a verifier then learns exactly
 * which audit entry no longer matches the signed log.
 */
export interface CheckpointMessage {
  v: 1;
  note: string;
  /** Index of the first leaf in `leaves`. */
  from: number;
  /** Leaf hashes (base64) of entries from..size-1. */
  leaves: string[];
}

/**
 * The audit log's origin when none is configured: a schema-less URL-like name
 * (C2SP tlog-checkpoint) unique to the deployment, from the hub id in
 * hub.json. Witnesses and auditors tell logs apart by origin, so two hubs
 * must not share one; a deployment with a domain of its own sets
 * `auditOrigin` to a name under it.
 */
export function defaultAuditOrigin(hubId: string): string {
  return `exchange-hub.local/${hubId}`;
}

/** An origin is also the note key name: no spaces, no plus signs (C2SP signed-note). */
export function isAuditOrigin(origin: string): boolean {
  return /^[^\s+]{1,200}$/u.test(origin);
}

/** The note verifier for checkpoints: the hub's Ed25519 public key under the log's origin name. */
export function checkpointVerifier(origin: string, hubJwk: JWK): NoteVerifier {
  if (hubJwk.kty !== 'OKP' || hubJwk.crv !== 'Ed25519' || typeof hubJwk.x !== 'string')
    throw new Error('the hub key is not an Ed25519 JWK');
  const publicKey: KeyObject = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: hubJwk.x },
    format: 'jwk',
  });
  return { name: origin, keyId: keyId(origin, Buffer.from(hubJwk.x, 'base64url')), publicKey };
}

/**
 * Reads a message from the checkpoints topic and checks it: its shape, the
 * hub's signature on the note, the checkpoint body and its origin. The topic is
 * writable by more than the sequencer, so nothing on it is believed unsigned.
 * Throws with the reason when the message is not a valid, hub-signed checkpoint.
 */
export function readCheckpointMessage(
  raw: Buffer | string,
  verifier: NoteVerifier,
  origin: string,
): { message: CheckpointMessage; checkpoint: Checkpoint } {
  let message: CheckpointMessage;
  try {
    message = JSON.parse(raw.toString()) as CheckpointMessage;
    if (
      message.v !== 1 ||
      typeof message.note !== 'string' ||
      !Number.isInteger(message.from) ||
      !Array.isArray(message.leaves)
    )
      throw new Error();
  } catch (cause) {
    throw new Error('not a checkpoint message', { cause });
  }
  return { message, checkpoint: openCheckpointNote(message.note, verifier, origin) };
}

/**
 * The checkpoint a signed note carries, once the hub's signature on it and its
 * origin are checked (the query index keeps notes without their leaves).
 * Throws with the reason otherwise.
 */
export function openCheckpointNote(note: string, verifier: NoteVerifier, origin: string): Checkpoint {
  let text: string;
  try {
    text = openNote(note, verifier);
  } catch (cause) {
    throw new Error(`signature rejected (${(cause as Error).message}): not signed by the hub's audit key`, {
      cause,
    });
  }
  let checkpoint: Checkpoint;
  try {
    checkpoint = parseCheckpoint(text);
  } catch (cause) {
    throw new Error('malformed checkpoint body', { cause });
  }
  if (checkpoint.origin !== origin) throw new Error(`origin is "${checkpoint.origin}", expected "${origin}"`);
  return checkpoint;
}
