import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAuditLog, writeAuditLogFile, type AuditLogCopy } from '../../broker/audit/audit-source.ts';
import type { CheckpointMessage } from '../../broker/audit/checkpoint-message.ts';
import { verifyLog } from '../../broker/audit/verify-log.ts';
import { REPO_ROOT } from '../../cli/demo-setup.ts';
import { hubVerifier } from '../../cli/commands/audit/verify.ts';
import { loadSigningKeyFile } from '../../lib/crypto/keys.ts';
import { formatCheckpoint } from '../../lib/merkle/checkpoint.ts';
import { leafHash } from '../../lib/merkle/hash.ts';
import { noteSigner, noteText, signNote, type NoteVerifier } from '../../lib/merkle/signed-note.ts';
import { rootHash } from '../../lib/merkle/tree.ts';
import type { NodeKeyLookup } from '../../lib/crypto/record-signature.ts';
import { loadPolicy, nodeKeyLookup } from '../../policies/policy-loader.ts';
import { kafkaSettings, testKafka } from '../helpers/test-kafka.ts';
import { HubFixture, SOMCHAI, SOMSRI } from '../helpers/hub-fixture.ts';

/** The default origin of the demo policy: `exchange-hub.local/<hub.json id>`. */
const ORIGIN = 'exchange-hub.local/xhub';
const run = promisify(execFile);

describe('audit log verification', () => {
  let hub: HubFixture;
  let log: AuditLogCopy;
  let verifier: NoteVerifier;
  let entryKeys: NodeKeyLookup;
  let dir: string;

  beforeAll(async () => {
    hub = await HubFixture.start({ connectors: ['DOPA'] });
    dir = await mkdtemp(join(tmpdir(), 'xhub-audit-'));
    const fpo = await hub.client('FPO');
    const bma = await hub.client('BMA');
    for (let i = 0; i < 4; i++) {
      await fpo.requestRecord({ subject: i % 2 ? SOMSRI : SOMCHAI, recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() });
      await bma.requestRecord({ subject: SOMSRI, recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() }).catch(() => {});
    }
    // Wait for the sequencer to sign a checkpoint covering every entry.
    const kafka = testKafka('audit-reader');
    const deadline = Date.now() + 15_000;
    do {
      log = await readAuditLog(kafka, hub.topicPrefix);
      const last = log.checkpoints.at(-1);
      const size = last ? (JSON.parse(last.toString()) as CheckpointMessage).from + (JSON.parse(last.toString()) as CheckpointMessage).leaves.length : 0;
      if (size === log.entries.length && size > 0) break;
      await new Promise((r) => setTimeout(r, 200));
    } while (Date.now() < deadline);
    verifier = await hubVerifier(hub.demo.policiesDir, ORIGIN);
    entryKeys = nodeKeyLookup(await loadPolicy(hub.demo.policiesDir));
  });
  afterAll(async () => {
    await hub?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const check = (entries: Buffer[], checkpoints = log.checkpoints) => verifyLog(entries, checkpoints, verifier, ORIGIN, entryKeys);

  it('verifies the untouched log: every entry covered by signed, consistent checkpoints', () => {
    expect(log.entries.length).toBeGreaterThanOrEqual(16);
    expect(check(log.entries)).toMatchObject({ ok: true, verifiedSize: log.entries.length, unverifiedTail: 0 });
  });

  it('names the entry with one byte changed', () => {
    const entries = [...log.entries];
    const changed = Buffer.from(entries[5]!);
    const at = changed.indexOf('"at":') + 6;
    changed[at] = changed[at] === 0x31 ? 0x32 : 0x31;
    entries[5] = changed;
    expect(check(entries).failure).toEqual({ entryIndex: 5, reason: 'entry 5 was changed: it does not match the signed log' });
  });

  it('names a deleted entry', () => {
    const entries = log.entries.filter((_, i) => i !== 7);
    expect(check(entries).failure).toMatchObject({ entryIndex: 7, reason: 'entry 7 was deleted' });
  });

  it('names two swapped entries', () => {
    const entries = [...log.entries];
    [entries[3], entries[4]] = [entries[4]!, entries[3]!];
    expect(check(entries).failure).toMatchObject({ entryIndex: 3, reason: 'entries 3 and 4 are swapped' });
  });

  it('names a forged entry inserted into the log', () => {
    const forged = Buffer.from(JSON.stringify({ v: 1, id: randomUUID(), kind: 'admin', at: Date.now(), nodeId: 'node-1', detail: 'nothing to see' }));
    const entries = [...log.entries.slice(0, 9), forged, ...log.entries.slice(9)];
    expect(check(entries).failure).toMatchObject({ entryIndex: 9, reason: 'entry 9 was inserted: it is not in the signed log' });
  });

  it('detects a truncated log and names the first missing entry', () => {
    expect(check(log.entries.slice(0, 10)).failure).toMatchObject({ entryIndex: 10, reason: expect.stringContaining('truncated') });
  });

  it('rejects a checkpoint signed with another key', () => {
    const last = JSON.parse(log.checkpoints.at(-1)!.toString()) as CheckpointMessage;
    const text = noteText(last.note);
    const impostor = noteSigner(ORIGIN, generateKeyPairSync('ed25519').privateKey);
    const forged = Buffer.from(JSON.stringify({ ...last, note: signNote(text, impostor) }));
    const k = log.checkpoints.length - 1;
    expect(check(log.entries, [...log.checkpoints.slice(0, -1), forged]).failure).toMatchObject({ checkpointIndex: k, reason: expect.stringContaining(`checkpoint ${k}: signature rejected`) });
  });

  it('rejects two checkpoints that are inconsistent, even when both carry the hub signature', async () => {
    // The hub key signs a second history that rewrites entry 2: an equivocating sequencer.
    const hubKey = await loadSigningKeyFile(hub.demo.hubKeyFile);
    const signer = noteSigner(ORIGIN, KeyObject.from(hubKey.key));
    const leaves = log.entries.map((e) => leafHash(e));
    leaves[2] = leafHash(Buffer.from('{"rewritten":true}'));
    const note = signNote(formatCheckpoint({ origin: ORIGIN, size: leaves.length, root: rootHash(leaves) }), signer);
    const fork = Buffer.from(JSON.stringify({ v: 1, note, from: 0, leaves: leaves.map((l) => l.toString('base64')) }));
    const report = check(log.entries, [...log.checkpoints, fork]);
    expect(report.failure).toMatchObject({ checkpointIndex: log.checkpoints.length, reason: expect.stringContaining('inconsistent with earlier checkpoints') });
  });

  it('the DPO command verifies the live topics and names the first bad entry of a tampered export', async () => {
    const cli = (args: string[]) =>
      run(process.execPath, [join(REPO_ROOT, 'cli/xhub.ts'), 'audit', 'verify', '--policies', hub.demo.policiesDir, ...args], { cwd: REPO_ROOT }).then(
        (r) => ({ code: 0, out: r.stdout }),
        (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
      );
    const reader = kafkaSettings('audit-reader');
    const live = await cli(['--brokers', hub.brokers.join(','), '--kafka-ca', reader.kafkaCaFile, '--kafka-credentials', reader.kafkaCredentialsFile, '--prefix', hub.topicPrefix]);
    expect(live.out).toMatch(/^OK: \d+ entries/m);
    expect(live.code).toBe(0);
    const entries = [...log.entries];
    entries.splice(4, 1);
    const file = join(dir, 'tampered.jsonl');
    await writeAuditLogFile(file, { entries, checkpoints: log.checkpoints });
    const tampered = await cli(['--file', file]);
    expect(tampered.out).toContain('FAILED: entry 4 was deleted');
    expect(tampered.code).toBe(2);
  });
});
