import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubVerifier } from '../../cli/commands/audit/verify.ts';
import { REPO_ROOT } from '../../cli/demo-setup.ts';
import { leafHash } from '../../lib/merkle/hash.ts';
import { parseCheckpoint } from '../../lib/merkle/checkpoint.ts';
import { openNote, parseVerifierKey } from '../../lib/merkle/signed-note.ts';
import { verifyConsistency, verifyInclusion } from '../../lib/merkle/verify.ts';
import { expectFailure } from '../helpers/grpc-error.ts';
import { HubFixture, SOMCHAI, SOMSRI } from '../helpers/hub-fixture.ts';
import { KafkaTap } from '../helpers/kafka-tap.ts';

type Entry = { index: string; entryJson: string; leafHash: string; bytes: Buffer };
type Page = { entries: Entry[]; nextPageToken: string };
type Checkpoint = { note: string; size: string; rootHash: string };
const b = (s: string) => Buffer.from(s, 'base64');

describe('the Audit service', () => {
  let hub: HubFixture;

  const exchange = async (subject: string) =>
    (await hub.client('FPO')).requestRecord({ subject, recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() });

  const until = async <T>(get: () => Promise<T>, ok: (t: T) => boolean): Promise<T> => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const value = await get();
      if (ok(value) || Date.now() > deadline) return value;
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  beforeAll(async () => {
    hub = await HubFixture.start({ connectors: ['DOPA'] });
    await exchange(SOMSRI);
    await exchange(SOMCHAI);
    await exchange(SOMSRI);
  });
  afterAll(() => hub?.stop());

  it('answers only auditors', async () => {
    for (const agency of ['FPO', 'DGA', 'DOPA']) {
      const client = await hub.auditClient(agency);
      await expectFailure(client.call('Query', { subject: SOMSRI }), status.PERMISSION_DENIED, 'ERR_ROLE_REQUIRED');
      await expectFailure(client.call('GetCheckpoint', {}), status.PERMISSION_DENIED, 'ERR_ROLE_REQUIRED');
      await expectFailure(client.call('ProveInclusion', { index: 0 }), status.PERMISSION_DENIED, 'ERR_ROLE_REQUIRED');
      await expectFailure(client.call('ProveConsistency', { first: 1, second: 2 }), status.PERMISSION_DENIED, 'ERR_ROLE_REQUIRED');
    }
  });

  it('finds a person’s entries by citizen id, pseudonymised by the node, page by page', async () => {
    const pdpc = await hub.auditClient();
    const delivered = await until(
      () => pdpc.call<Page>('Query', { subject: SOMSRI, kind: 'delivered' }),
      (p) => p.entries.length === 2,
    );
    expect(delivered.entries).toHaveLength(2);
    for (const e of delivered.entries) expect(JSON.parse(e.entryJson)).toMatchObject({ kind: 'delivered', consumer: 'FPO', provider: 'DOPA' });
    const all: Entry[] = [];
    let token = '';
    do {
      const page = await pdpc.call<Page>('Query', { subject: SOMSRI, pageSize: 2, pageToken: token });
      expect(page.entries.length).toBeLessThanOrEqual(2);
      all.push(...page.entries);
      token = page.nextPageToken;
    } while (token);
    expect(all.length).toBe(6);
    expect(all.every((e) => JSON.parse(e.entryJson).subjectRef === JSON.parse(all[0]!.entryJson).subjectRef)).toBe(true);
    await expectFailure(pdpc.call('Query', { subject: '123' }), status.INVALID_ARGUMENT, 'ERR_INVALID_CITIZEN_ID');
  });

  it('proves an entry is in the signed log, and that a later checkpoint extends an earlier one', async () => {
    const pdpc = await hub.auditClient();
    // The default origin is unique to the deployment: derived from hub.json's id.
    expect(hub.node.config.auditOrigin).toBe('exchange-hub.local/xhub');
    const verifier = await hubVerifier(hub.demo.policiesDir, hub.node.config.auditOrigin);
    const first = await until(() => pdpc.call<Checkpoint>('GetCheckpoint', {}).catch(() => undefined), (c) => c !== undefined && Number(c.size) >= 9);
    const firstCheckpoint = parseCheckpoint(openNote(first!.note, verifier));
    const [entry] = (await pdpc.call<Page>('Query', { subject: SOMCHAI, kind: 'delivered' })).entries;
    const inclusion = await pdpc.call<{ leafHash: string; hashes: string[]; treeSize: string }>('ProveInclusion', { index: entry!.index, treeSize: first!.size });
    expect(inclusion.leafHash).toBe(entry!.leafHash);
    expect(verifyInclusion(Number(entry!.index), firstCheckpoint.size, b(entry!.leafHash), inclusion.hashes.map(b), firstCheckpoint.root)).toBe(true);

    await exchange(SOMCHAI);
    const second = await until(() => pdpc.call<Checkpoint>('GetCheckpoint', {}), (c) => Number(c.size) > firstCheckpoint.size);
    const secondCheckpoint = parseCheckpoint(openNote(second.note, verifier));
    const consistency = await pdpc.call<{ hashes: string[] }>('ProveConsistency', { first: firstCheckpoint.size, second: secondCheckpoint.size });
    expect(verifyConsistency(firstCheckpoint.size, secondCheckpoint.size, consistency.hashes.map(b), firstCheckpoint.root, secondCheckpoint.root)).toBe(true);
  });

  it('returns the signed checkpoint of exactly the size asked for, the newest when none is, and NOT_FOUND for a size never signed', async () => {
    const pdpc = await hub.auditClient();
    const first = await until(() => pdpc.call<Checkpoint>('GetCheckpoint', {}).catch(() => undefined), (c) => c !== undefined);
    await exchange(SOMSRI);
    const newest = await until(() => pdpc.call<Checkpoint>('GetCheckpoint', { size: 0 }), (c) => Number(c.size) > Number(first!.size));
    expect(Number(newest.size)).toBeGreaterThan(Number(first!.size));
    expect(await pdpc.call<Checkpoint>('GetCheckpoint', { size: first!.size })).toEqual(first);
    expect(await pdpc.call<Checkpoint>('GetCheckpoint', { size: newest.size })).toEqual(newest);
    const missing = await expectFailure(pdpc.call('GetCheckpoint', { size: Number(newest.size) + 1000 }), status.NOT_FOUND, 'ERR_NOT_FOUND');
    expect(missing).toMatch(new RegExp(`no signed checkpoint of size ${Number(newest.size) + 1000}.*the newest is of size \\d+`));
  });

  it('serves each entry\'s exact logged bytes, which hash to its leaf', async () => {
    const pdpc = await hub.auditClient();
    const tap = await KafkaTap.open('admin', `${hub.topicPrefix}audit`);
    try {
      const { entries } = await pdpc.call<Page>('Query', { pageSize: 1000 });
      expect(entries.length).toBeGreaterThan(0);
      await tap.waitFor(() => tap.messages.length >= entries.length);
      for (const e of entries) {
        expect(Buffer.isBuffer(e.bytes)).toBe(true);
        expect(tap.messages.some((m) => m.value?.equals(e.bytes))).toBe(true);
        expect(leafHash(e.bytes).toString('base64')).toBe(e.leafHash);
        expect(e.entryJson).toBe(e.bytes.toString('utf8'));
      }
    } finally {
      await tap.close();
    }
  });

  it('`xhub audit verifier-key` prints the key that verifies the node\'s checkpoints', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['cli/xhub.ts', 'audit', 'verifier-key', '--policies', hub.demo.policiesDir], { cwd: REPO_ROOT });
    const verifier = parseVerifierKey(stdout.trim());
    expect(verifier.name).toBe(hub.node.config.auditOrigin);
    const { note, size } = await (await hub.auditClient()).call<Checkpoint>('GetCheckpoint', {});
    expect(parseCheckpoint(openNote(note, verifier))).toMatchObject({ origin: 'exchange-hub.local/xhub', size: Number(size) });
  });
});
