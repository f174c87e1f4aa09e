import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatCheckpoint, parseCheckpoint } from '../../lib/merkle/checkpoint.ts';
import { noteSigner, openNote, parseSignerKey, parseVerifierKey, signNote, verifierKeyString } from '../../lib/merkle/signed-note.ts';

// The reference signed note of golang.org/x/mod/sumdb/note (C2SP signed-note).
const SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const NOTE = `${TEXT}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

describe('C2SP signed notes and checkpoints', () => {
  it('signs the reference note byte for byte, and derives the reference verifier key', () => {
    const signer = parseSignerKey(SKEY);
    expect(signNote(TEXT, signer)).toBe(NOTE);
    expect(verifierKeyString(signer)).toBe(VKEY);
  });

  it('opens the reference note, and refuses it altered or checked against another key', () => {
    expect(openNote(NOTE, parseVerifierKey(VKEY))).toBe(TEXT);
    expect(() => openNote(NOTE.replace('cryptography', 'cryptographY'), parseVerifierKey(VKEY))).toThrow(/does not verify/);
    const other = noteSigner('PeterNeumann', generateKeyPairSync('ed25519').privateKey);
    expect(() => openNote(NOTE, parseVerifierKey(verifierKeyString(other)))).toThrow(/not signed by/);
  });

  it('refuses a verifier key whose id does not match its key', () => {
    expect(() => parseVerifierKey(VKEY.replace('c74f20a3', 'c74f20a4'))).toThrow(/does not match/);
  });

  it('formats and parses a tlog checkpoint body', () => {
    const root = Buffer.alloc(32, 7);
    const text = formatCheckpoint({ origin: 'exchange-hub.example/audit', size: 42, root });
    expect(text).toBe(`exchange-hub.example/audit\n42\n${root.toString('base64')}\n`);
    expect(parseCheckpoint(text)).toEqual({ origin: 'exchange-hub.example/audit', size: 42, root });
    expect(() => parseCheckpoint('x\n-1\nAAAA\n')).toThrow(/malformed/);
  });
});
