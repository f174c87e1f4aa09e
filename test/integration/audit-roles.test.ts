import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNode } from '../../broker/node.ts';
import { AuditClient } from '../../lib/audit-client.ts';
import { ExchangeClient } from '../../lib/exchange-client.ts';
import { expectFailure } from '../helpers/grpc-error.ts';
import { HubFixture, SOMSRI } from '../helpers/hub-fixture.ts';

type Page = { entries: { entryJson: string }[] };

/**
 * A node that only serves exchanges (no query index, no sequencer) beside an
 * audit node: its exchanges are still on the log, signed into checkpoints and
 * answerable by the audit node, and it says clearly that it answers no audit queries.
 */
describe('an exchange-only node beside an audit node', () => {
  let hub: HubFixture;
  let auditNode: RunningNode;
  let serving: RunningNode;

  beforeAll(async () => {
    hub = await HubFixture.start({ connectors: ['DOPA'] });
    auditNode = hub.node;
    serving = await hub.startNode({ nodeId: 'node-serve', auditQueries: false, auditSequencer: false });
    hub.node = auditNode;
  });
  afterAll(async () => {
    await serving?.stop();
    await hub?.stop();
  });

  const on = async <T>(node: RunningNode, make: (address: string, audience: string) => T) =>
    make(`127.0.0.1:${node.port}`, node.config.nodeId);

  it('audits its exchanges on the shared log, where the audit node finds and checkpoints them', async () => {
    const fpo = await on(
      serving,
      async (address, audience) => new ExchangeClient(address, 'FPO', await hub.key('FPO'), audience),
    );
    const { exchangeId } = await fpo.requestRecord({
      subject: SOMSRI,
      recordType: 'dopa.civil-registration.person',
      purpose: 'WELFARE_ELIGIBILITY',
      clientRequestId: randomUUID(),
    });
    fpo.close();

    const pdpc = await hub.auditClient();
    const deadline = Date.now() + 15_000;
    let kinds: string[] = [];
    let checkpointSize = 0;
    while (Date.now() < deadline) {
      const page = await pdpc.call<Page>('Query', { subject: SOMSRI });
      const entries = page.entries.map(
        (e) => JSON.parse(e.entryJson) as { exchangeId: string; kind: string; nodeId: string },
      );
      kinds = entries
        .filter((e) => e.exchangeId === exchangeId && e.nodeId === 'node-serve')
        .map((e) => e.kind);
      checkpointSize = Number(
        (await pdpc.call<{ size: string }>('GetCheckpoint', {}).catch(() => ({ size: '0' }))).size,
      );
      if (kinds.includes('delivered') && checkpointSize >= 3) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(kinds).toEqual(['request-received', 'decision', 'delivered']);
    expect(checkpointSize).toBeGreaterThanOrEqual(3);
  });

  it('answers audit calls with ERR_AUDIT_NOT_SERVED, after the usual auditor check', async () => {
    const client = async (agency: string) =>
      on(
        serving,
        async (address, audience) => new AuditClient(address, agency, await hub.key(agency), audience),
      );
    const pdpc = await client('PDPC');
    const message = await expectFailure(
      pdpc.call('Query', { subject: SOMSRI }),
      status.UNIMPLEMENTED,
      'ERR_AUDIT_NOT_SERVED',
    );
    expect(message).toContain('node-serve');
    await expectFailure(pdpc.call('GetCheckpoint', {}), status.UNIMPLEMENTED, 'ERR_AUDIT_NOT_SERVED');
    const fpo = await client('FPO');
    await expectFailure(
      fpo.call('Query', { subject: SOMSRI }),
      status.PERMISSION_DENIED,
      'ERR_ROLE_REQUIRED',
    );
    pdpc.close();
    fpo.close();
  });
});
