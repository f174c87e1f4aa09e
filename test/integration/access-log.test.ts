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
  let last: string;

  beforeAll(async () => {
    hub = await HubFixture.start({ connectors: ['DOPA'] });
    now = hub.node;
    // The same hub seen 181 days on: a node whose clock is frozen past the 180-day deferral.
    later = await hub.startNode({ nodeId: 'node-2', auditSequencer: false }, { now: () => Date.now() + 181 * DAY });
    hub.node = now;
    audit = await KafkaTap.open('admin', `${hub.topicPrefix}audit`);
    welfare = (await (await hub.client('FPO')).requestRecord({ subject: SOMSRI, recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() })).exchangeId;
    investigation = (await (await hub.client('RD')).requestRecord({ subject: SOMSRI, recordType: 'dopa.house-registration.address', purpose: 'TAX_INVESTIGATION', clientRequestId: randomUUID() })).exchangeId;
    // A last hand-out: a node that lists it has indexed everything before it, the hidden delivery included.
    last = (await (await hub.client('FPO')).requestRecord({ subject: SOMSRI, recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() })).exchangeId;
  });
  afterAll(async () => {
    await audit?.close();
    await later?.stop();
    await hub?.stop();
  });

  const client = async (node: RunningNode, agency = 'DGA') => hub.track(new AccessLogClient(`127.0.0.1:${node.port}`, agency, await hub.key(agency), node.config.nodeId, await hub.transport(agency)));
  /** The person's log on `node` once its index holds every hand-out (the last one listed: the index applies the log in order). */
  const logOn = async (node: RunningNode): Promise<AccessEntry__Output[]> => {
    const dga = await client(node);
    let entries: AccessEntry__Output[] = [];
    await expect
      .poll(async () => {
        entries = (await dga.call<ListForCitizenResponse__Output>('ListForCitizen', { subject: SOMSRI })).entries;
        return entries.some((e) => e.exchangeId === last);
      }, { timeout: 15_000, interval: 300 })
      .toBe(true);
    return entries;
  };

  it('shows who received what, when, why and on which basis; a delivery under a deferring agreement is left out, without a trace', async () => {
    const entries = await logOn(now);
    expect(entries).toEqual([
      expect.objectContaining({ kind: 'delivered', exchangeId: welfare, consumer: 'FPO', provider: 'DOPA', recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY', lawfulBasis: 'public-task', statute: expect.stringContaining('PDPA') }),
      expect.objectContaining({ kind: 'delivered', exchangeId: last }),
    ]);
    expect(JSON.stringify(entries)).not.toMatch(/TAX_INVESTIGATION|Revenue Code/);
  });

  it('shows the deferred delivery once its period has ended (a node whose clock is 181 days on)', async () => {
    const entries = await logOn(later);
    expect(entries.map((e) => e.exchangeId)).toEqual([welfare, investigation, last]);
    expect(entries[1]).toMatchObject({ consumer: 'RD', purpose: 'TAX_INVESTIGATION', lawfulBasis: 'legal-obligation' });
  });

  it('the delivery entry carries its deferral, fixed and signed when it was logged', () => {
    const delivered = audit.messages.map((m) => JSON.parse(m.value!.toString()) as { kind: string; exchangeId?: string; at: number; discloseAfter?: number; deferral?: string }).find((e) => e.kind === 'delivered' && e.exchangeId === investigation)!;
    expect(delivered.discloseAfter! - delivered.at).toBeGreaterThanOrEqual(180 * DAY - 5_000);
    expect(delivered.discloseAfter! - delivered.at).toBeLessThanOrEqual(180 * DAY + 5_000);
    expect(delivered.deferral).toMatch(/Revenue Code/);
  });

  it('every look is itself on the audit log: who looked at whose log, by pseudonym', async () => {
    const viewed = await audit.waitFor((m) => m.value!.toString().includes('"kind":"viewed"'));
    const entry = JSON.parse(viewed.value!.toString()) as { actor: string; subjectRef: string; detail: string };
    expect(entry).toMatchObject({ actor: 'DGA', detail: 'AccessLog/ListForCitizen', subjectRef: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(viewed.value!.toString()).not.toContain(SOMSRI);
  });

  it('is for the consent manager only, and says what was wrong with the citizen id', async () => {
    await expectFailure((await client(now, 'FPO')).call('ListForCitizen', { subject: SOMSRI }), status.PERMISSION_DENIED, 'ERR_ROLE_REQUIRED');
    expect(await expectFailure((await client(now)).call('ListForCitizen', { subject: '1101700203451' }), status.INVALID_ARGUMENT, 'ERR_INVALID_CITIZEN_ID')).toMatch(/subject/);
    expect(await expectFailure((await client(now)).call('ListForCitizen', { subject: SOMSRI, from: 'yesterday' }), status.INVALID_ARGUMENT, 'ERR_INVALID_ARGUMENT')).toMatch(/from/);
  });

  it('`xhub access-log` prints it, one line per disclosure', async () => {
    const tls = hub.demo.tls;
    const { stdout, stderr } = await run(
      process.execPath,
      ['cli/xhub.ts', 'access-log', '--subject', SOMSRI, '--key', hub.demo.agencyKeyFile('DGA'), '--node', hub.address, '--audience', 'node-1', '--ca', tls.caFile, '--cert', tls.clientCertFile('DGA'), '--tls-key', tls.clientKeyFile('DGA')],
      { cwd: REPO_ROOT },
    );
    expect(stdout).toMatch(/received .* from .* for Checking eligibility for a state welfare programme; public-task \(PDPA/);
    expect(stdout).not.toMatch(/investigat/i);
    expect(stderr).toMatch(/2 disclosures/);
  });
});
