import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuditIndex } from '../../broker/audit/audit-index.ts';
import { dashboardData } from '../../broker/console/dashboard/dashboard-data.ts';
import { logHealth } from '../../broker/console/log-health/log-health.ts';
import { VerifyJob } from '../../broker/console/log-health/verify-job.ts';
import { hubVerifier } from '../../cli/commands/audit/verify.ts';
import { verifierKeyOf, type NoteVerifier } from '../../lib/merkle/signed-note.ts';
import { loadPolicy, nodeKeyLookup } from '../../policies/policy-loader.ts';
import type { Policy } from '../../policies/policy.types.ts';
import { HubFixture, SOMCHAI, SOMSRI } from '../helpers/hub-fixture.ts';

const PERSON = 'dopa.civil-registration.person';
const HOUR = 3_600_000;

/**
 * The console's log-health parts on the index a real node built from Kafka:
 * the node is stopped once a signed checkpoint covers every entry, so its
 * index file can be read (and a copy changed) without racing its writer.
 */
describe('log health and full verification of a node’s audit index', () => {
  let hub: HubFixture;
  let dir: string;
  let file: string;
  let verifier: NoteVerifier;
  let policy: Policy;
  let entries: number;
  const started = Date.now();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xhub-log-health-'));
    file = join(dir, 'audit-index.sqlite');
    hub = await HubFixture.start({ connectors: ['DOPA'], node: { auditIndexFile: file } });
    const fpo = await hub.client('FPO');
    const bma = await hub.client('BMA');
    for (let i = 0; i < 3; i++) {
      await fpo.requestRecord({
        subject: i % 2 ? SOMSRI : SOMCHAI,
        recordType: PERSON,
        purpose: 'WELFARE_ELIGIBILITY',
        clientRequestId: randomUUID(),
      });
    }
    // BMA has no agreement with DOPA: two denials.
    for (let i = 0; i < 2; i++) {
      await expect(
        bma.requestRecord({
          subject: SOMSRI,
          recordType: PERSON,
          purpose: 'WELFARE_ELIGIBILITY',
          clientRequestId: randomUUID(),
        }),
      ).rejects.toThrow();
    }
    const pdpc = await hub.auditClient();
    type Page = { entries: unknown[] };
    // Every entry indexed and covered by the newest checkpoint the index holds.
    entries = await vi.waitFor(
      async () => {
        const indexed = (await pdpc.call<Page>('Query', { pageSize: 1000 })).entries.length;
        const signed = Number(
          (await pdpc.call<{ size: string }>('GetCheckpoint', {}).catch(() => ({ size: '0' }))).size,
        );
        if (indexed < 3 * 3 + 2 * 2 || signed !== indexed)
          throw new Error(`${indexed} entries indexed, ${signed} signed`);
        return indexed;
      },
      { timeout: 20_000, interval: 250 },
    );
    await hub.node.stop();
    policy = await loadPolicy(hub.demo.policiesDir);
    verifier = await hubVerifier(hub.demo.policiesDir, hub.node.config.auditOrigin);
  });
  afterAll(async () => {
    await hub?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const job = (index: AuditIndex) =>
    new VerifyJob({ index, verifier, entryKeys: () => nodeKeyLookup(policy), chunkSize: 4 });

  it('shows the newest checkpoint, the hub’s verifier key and no unsigned tail', () => {
    const index = new AuditIndex(file);
    try {
      const health = logHealth(index, { verifier, now: Date.now() });
      expect(health).toMatchObject({
        origin: hub.node.config.auditOrigin,
        indexedEntries: entries,
        newestCheckpoint: { size: entries },
        unsignedTail: { entries: 0 },
      });
      expect(health.verifierKey).toBe(verifierKeyOf(verifier));
      expect(health.newestCheckpoint!.note).toContain(`\n${entries}\n${health.newestCheckpoint!.rootHash}\n`);
      expect(health.newestCheckpoint!.ageMs).toBeLessThan(Date.now() - started + 1_000);
    } finally {
      index.close();
    }
  });

  it('passes a full verification: every entry checked against the node keys and the signed roots', async () => {
    const index = new AuditIndex(file);
    try {
      const verify = job(index);
      verify.start();
      expect(await verify.done()).toMatchObject({
        state: 'passed',
        checked: entries,
        total: entries,
        verifiedSize: entries,
        unverifiedTail: 0,
      });
      expect(verify.status().checkpoints).toBeGreaterThanOrEqual(1);
    } finally {
      index.close();
    }
  });

  it('fails when one byte of one logged entry changed in a copy of the index, naming that entry', async () => {
    const copy = join(dir, 'changed.sqlite');
    await copyFile(file, copy);
    const db = new DatabaseSync(copy);
    const row = db
      .prepare("SELECT idx, raw FROM entries WHERE kind = 'delivered' ORDER BY idx LIMIT 1")
      .get() as { idx: number; raw: Uint8Array };
    const raw = Buffer.from(row.raw);
    const at = raw.indexOf('"at":') + 6;
    raw[at] = raw[at] === 0x31 ? 0x32 : 0x31;
    db.prepare('UPDATE entries SET raw = ? WHERE idx = ?').run(raw, row.idx);
    db.close();
    const index = new AuditIndex(copy);
    try {
      const verify = job(index);
      verify.start();
      const status = await verify.done();
      expect(status).toMatchObject({ state: 'failed', checked: entries, total: entries });
      expect(status.firstFailure).toEqual({
        entryIndex: row.idx,
        reason: `entry ${row.idx}: the leaf hash kept beside it is not the hash of its bytes`,
      });
    } finally {
      index.close();
    }
  });

  it('counts the dashboard from the same index: transfers of the pair and the denials by reason', () => {
    const index = new AuditIndex(file);
    try {
      const data = dashboardData(index, { from: started - HOUR, to: Date.now() + HOUR });
      expect(data.totals.transfers).toBe(3);
      expect(new Set(data.transfers.map((t) => `${t.consumer}→${t.provider}`))).toEqual(
        new Set(['FPO→DOPA']),
      );
      expect(data.denials).toEqual([{ reason: expect.stringMatching(/^ERR_/), count: 2 }]);
      expect(data.topPurposes).toEqual([{ purpose: 'WELFARE_ELIGIBILITY', count: 3 }]);
    } finally {
      index.close();
    }
  });
});
