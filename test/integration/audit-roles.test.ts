import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNode } from '../../broker/node.ts';
import { AccessLogClient } from '../../lib/access-log-client.ts';
import { AuditClient } from '../../lib/audit-client.ts';
import { ExchangeClient } from '../../lib/exchange-client.ts';
import { expectFailure } from '../helpers/grpc-error.ts';
import { testKafka } from '../helpers/test-kafka.ts';
import { HubFixture, SOMSRI } from '../helpers/hub-fixture.ts';

type Page = { entries: { index: string; entryJson: string }[] };
type Entry = { index: number; exchangeId: string; kind: string; nodeId: string };
const PERSON = 'dopa.civil-registration.person';

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
    serving = await hub.startNode({ nodeId: 'node-2', auditQueries: false, auditSequencer: false });
    hub.node = auditNode;
  });
  afterAll(async () => {
    await serving?.stop();
    await hub?.stop();
  });

  const address = (node: RunningNode) => `127.0.0.1:${node.port}`;

  it('audits its exchanges on the shared log, where the audit node finds them under a signed checkpoint', async () => {
    const fpo = new ExchangeClient(
      address(serving),
      'FPO',
      await hub.key('FPO'),
      serving.config.nodeId,
      await hub.transport('FPO'),
    );
    const { exchangeId } = await fpo.requestRecord({
      subject: SOMSRI,
      recordType: PERSON,
      purpose: 'WELFARE_ELIGIBILITY',
      clientRequestId: randomUUID(),
    });
    fpo.close();

    const pdpc = await hub.auditClient();
    const deadline = Date.now() + 15_000;
    let mine: Entry[] = [];
    let checkpointSize = 0;
    const deliveredIndex = () => mine.find((e) => e.kind === 'delivered')?.index ?? Infinity;
    while (Date.now() < deadline) {
      const page = await pdpc.call<Page>('Query', { subject: SOMSRI });
      const entries = page.entries.map((e) => ({
        ...(JSON.parse(e.entryJson) as Omit<Entry, 'index'>),
        index: Number(e.index),
      }));
      mine = entries.filter((e) => e.exchangeId === exchangeId && e.nodeId === 'node-2');
      checkpointSize = Number(
        (await pdpc.call<{ size: string }>('GetCheckpoint', {}).catch(() => ({ size: '0' }))).size,
      );
      if (checkpointSize > deliveredIndex()) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(mine.map((e) => e.kind)).toEqual(['request-received', 'decision', 'delivered']);
    expect(checkpointSize).toBeGreaterThan(deliveredIndex());
  });

  it('leaves sequencing to the audit node: the sequencer group has it as its only member', async () => {
    const admin = testKafka().admin();
    await admin.connect();
    const { groups } = await admin.describeGroups([`${hub.topicPrefix}audit-sequencer`]);
    await admin.disconnect();
    expect(groups[0]?.members.map((m) => m.clientId)).toEqual([`xhub-sequencer-${auditNode.config.nodeId}`]);
  });

  it('answers audit calls with ERR_AUDIT_NOT_SERVED, after the usual auditor check', async () => {
    const client = async (agency: string) =>
      new AuditClient(
        address(serving),
        agency,
        await hub.key(agency),
        serving.config.nodeId,
        await hub.transport(agency),
      );
    const pdpc = await client('PDPC');
    const message = await expectFailure(
      pdpc.call('Query', { subject: SOMSRI }),
      status.UNIMPLEMENTED,
      'ERR_AUDIT_NOT_SERVED',
    );
    expect(message).toContain('node-2');
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

  it("answers the citizen's access log with ERR_AUDIT_NOT_SERVED too, after the consent-manager check", async () => {
    const client = async (agency: string) =>
      new AccessLogClient(
        address(serving),
        agency,
        await hub.key(agency),
        serving.config.nodeId,
        await hub.transport(agency),
      );
    const dga = await client('DGA');
    expect(
      await expectFailure(
        dga.call('ListForCitizen', { subject: SOMSRI }),
        status.UNIMPLEMENTED,
        'ERR_AUDIT_NOT_SERVED',
      ),
    ).toContain('node-2');
    const pdpc = await client('PDPC');
    await expectFailure(
      pdpc.call('ListForCitizen', { subject: SOMSRI }),
      status.PERMISSION_DENIED,
      'ERR_ROLE_REQUIRED',
    );
    dga.close();
    pdpc.close();
  });
});

describe('a log with no sequencer anywhere', () => {
  let hub: HubFixture;

  beforeAll(async () => {
    // checkpointIntervalMs 50: the node warns after 20 missed checkpoints, 1 s.
    hub = await HubFixture.start({
      connectors: ['DOPA'],
      node: { auditSequencer: false, checkpointIntervalMs: 50 },
    });
  });
  afterAll(() => hub?.stop());

  it('makes the node warn that its entries go unsigned', async () => {
    const fpo = await hub.client('FPO');
    await fpo.requestRecord({
      subject: SOMSRI,
      recordType: PERSON,
      purpose: 'WELFARE_ELIGIBILITY',
      clientRequestId: randomUUID(),
    });
    const warned = () => hub.logs.some((l) => l.includes('no signed checkpoint for too long'));
    const deadline = Date.now() + 10_000;
    while (!warned() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(warned()).toBe(true);
    await expectFailure(
      (await hub.auditClient()).call('GetCheckpoint', {}),
      status.NOT_FOUND,
      'ERR_NOT_FOUND',
    );
  });
});
