import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNode } from '../../broker/node.ts';
import { REPO_ROOT } from '../../cli/demo-setup.ts';
import { AccessLogClient } from '../../lib/access-log-client.ts';
import type { AccessEntry__Output } from '../../lib/proto-types/xhub/access/v1/AccessEntry.ts';
import type { ListForCitizenResponse__Output } from '../../lib/proto-types/xhub/access/v1/ListForCitizenResponse.ts';
import { expectFailure } from '../helpers/grpc-error.ts';
import { HubFixture, SOMSRI } from '../helpers/hub-fixture.ts';
import { KafkaTap } from '../helpers/kafka-tap.ts';

const run = promisify(execFile);
const DAY = 86_400_000;

/**
 * The person's own access log, as a citizen app's backend (the demo's consent
 * manager, DGA) reads it: every hand-out of their records, except those an
 * agreement lets stay hidden for a while (a tax investigation), until then.
 */
describe("the citizen's own access log", () => {
  let hub: HubFixture;
  let now: RunningNode;
  let later: RunningNode;
  let audit: KafkaTap;
  let welfare: string;
  let investigation: string;

  beforeAll(async () => {
    hub = await HubFixture.start({ connectors: ['DOPA'] });
    now = hub.node;
    // The same hub seen 181 days on: a node whose clock is frozen past the 180-day deferral.
    later = await hub.startNode(
      { nodeId: 'node-2', auditSequencer: false },
      { now: () => Date.now() + 181 * DAY },
    );
    hub.node = now;
    audit = await KafkaTap.open('admin', `${hub.topicPrefix}audit`);
    welfare = (
      await (
        await hub.client('FPO')
      ).requestRecord({
        subject: SOMSRI,
        recordType: 'dopa.civil-registration.person',
        purpose: 'WELFARE_ELIGIBILITY',
        clientRequestId: randomUUID(),
      })
    ).exchangeId;
    const rd = await hub.client('RD');
    const asked = {
      subject: SOMSRI,
      recordType: 'dopa.house-registration.address',
      purpose: 'TAX_INVESTIGATION',
      clientRequestId: randomUUID(),
    };
    investigation = (await rd.requestRecord(asked)).exchangeId;
    // A retry of the same request: the stored answer handed out again, a disclosure of its own (`replayed`).
    expect((await rd.requestRecord(asked)).exchangeId).toBe(investigation);
  });
  afterAll(async () => {
    await audit?.close();
    await later?.stop();
    await hub?.stop();
  });

  const client = async (node: RunningNode, agency = 'DGA') =>
    hub.track(
      new AccessLogClient(
        `127.0.0.1:${node.port}`,
        agency,
        await hub.key(agency),
        node.config.nodeId,
        await hub.transport(agency),
      ),
    );
  /** The person's log on `node`, asked once its index holds the last hand-out (the investigation's retry) and so all before it. */
  const logOn = async (node: RunningNode): Promise<AccessEntry__Output[]> => {
    const pdpc = await hub.auditClient('PDPC', node);
    await expect
      .poll(
        async () =>
          (
            await pdpc.call<{ entries: { entryJson: string }[] }>('Query', {
              subject: SOMSRI,
              kind: 'replayed',
            })
          ).entries.some((e) => e.entryJson.includes(investigation)),
        { timeout: 15_000, interval: 300 },
      )
      .toBe(true);
    return (
      await (await client(node)).call<ListForCitizenResponse__Output>('ListForCitizen', { subject: SOMSRI })
    ).entries;
  };

  it('shows who received what, when, why and on which basis; a delivery under a deferring agreement is left out, without a trace', async () => {
    const entries = await logOn(now);
    expect(entries).toEqual([
      expect.objectContaining({
        kind: 'delivered',
        exchangeId: welfare,
        consumer: 'FPO',
        provider: 'DOPA',
        recordType: 'dopa.civil-registration.person',
        purpose: 'WELFARE_ELIGIBILITY',
        lawfulBasis: 'public-task',
        statute: expect.stringContaining('PDPA'),
      }),
    ]);
    expect(JSON.stringify(entries)).not.toMatch(/TAX_INVESTIGATION|Revenue Code/);
  });

  it('shows the deferred delivery and its retry once the period has ended (a node whose clock is 181 days on)', async () => {
    const entries = await logOn(later);
    expect(entries.map((e) => [e.exchangeId, e.kind])).toEqual([
      [welfare, 'delivered'],
      [investigation, 'delivered'],
      [investigation, 'replayed'],
    ]);
    expect(entries[1]).toMatchObject({
      consumer: 'RD',
      purpose: 'TAX_INVESTIGATION',
      lawfulBasis: 'legal-obligation',
      statute: expect.stringContaining('Revenue Code'),
    });
  });

  it('each hand-out entry carries its deferral, 180 days from its own time, signed with it', () => {
    const handOuts = audit.messages
      .map(
        (m) =>
          JSON.parse(m.value!.toString()) as {
            kind: string;
            exchangeId?: string;
            at: number;
            discloseAfter?: number;
            deferral?: string;
            sig?: string;
          },
      )
      .filter((e) => ['delivered', 'replayed'].includes(e.kind) && e.exchangeId === investigation);
    expect(handOuts.map((e) => e.kind)).toEqual(['delivered', 'replayed']);
    for (const e of handOuts) {
      expect(e.discloseAfter! - e.at).toBe(180 * DAY);
      expect(e.deferral).toMatch(/^Revenue Code s\.3 sexies/);
      expect(e.sig).toBeTruthy();
    }
    const welfareDelivery = audit.messages
      .map((m) => JSON.parse(m.value!.toString()) as Record<string, unknown>)
      .find((e) => e.kind === 'delivered' && e.exchangeId === welfare)!;
    expect(welfareDelivery).not.toHaveProperty('discloseAfter');
    expect(welfareDelivery).not.toHaveProperty('deferral');
  });

  it('every look is itself on the audit log: who looked at whose log, by pseudonym', async () => {
    const viewed = await audit.waitFor(
      (m) =>
        m.value!.toString().includes('"kind":"viewed"') &&
        m.value!.toString().includes('AccessLog/ListForCitizen'),
    );
    const entry = JSON.parse(viewed.value!.toString()) as {
      actor: string;
      subjectRef: string;
      detail: string;
    };
    // The same pseudonym as the person's exchanges carry: the look is found with them.
    const delivered = audit.messages
      .map(
        (m) => JSON.parse(m.value!.toString()) as { kind: string; exchangeId?: string; subjectRef?: string },
      )
      .find((e) => e.kind === 'delivered' && e.exchangeId === welfare)!;
    expect(entry).toMatchObject({
      actor: 'DGA',
      detail: 'AccessLog/ListForCitizen',
      subjectRef: delivered.subjectRef,
    });
    expect(entry.subjectRef).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(viewed.value!.toString()).not.toContain(SOMSRI);
  });

  it('is for the consent manager only, and says what was wrong with the citizen id', async () => {
    await expectFailure(
      (await client(now, 'FPO')).call('ListForCitizen', { subject: SOMSRI }),
      status.PERMISSION_DENIED,
      'ERR_ROLE_REQUIRED',
    );
    expect(
      await expectFailure(
        (await client(now)).call('ListForCitizen', { subject: '1101700203451' }),
        status.INVALID_ARGUMENT,
        'ERR_INVALID_CITIZEN_ID',
      ),
    ).toMatch(/subject/);
    expect(
      await expectFailure(
        (await client(now)).call('ListForCitizen', { subject: SOMSRI, from: 'yesterday' }),
        status.INVALID_ARGUMENT,
        'ERR_INVALID_ARGUMENT',
      ),
    ).toMatch(/from/);
  });

  it('`xhub access-log` prints it, one line per disclosure', async () => {
    const tls = hub.demo.tls;
    const { stdout, stderr } = await run(
      process.execPath,
      [
        'cli/xhub.ts',
        'access-log',
        '--subject',
        SOMSRI,
        '--key',
        hub.demo.agencyKeyFile('DGA'),
        '--node',
        hub.address,
        '--audience',
        'node-1',
        '--ca',
        tls.caFile,
        '--cert',
        tls.clientCertFile('DGA'),
        '--tls-key',
        tls.clientKeyFile('DGA'),
      ],
      { cwd: REPO_ROOT },
    );
    expect(stdout).toMatch(
      /received .* from .* for Checking eligibility for a state welfare programme; public-task \(PDPA/,
    );
    expect(stdout).not.toMatch(/investigat/i);
    expect(stderr).toMatch(/1 disclosures/);
  });
});
