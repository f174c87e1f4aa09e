import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNode } from '../../broker/node.ts';
import { signAgencyToken } from '../../lib/agency-token.ts';
import { ConsentClient } from '../../lib/consent-client.ts';
import { ExchangeClient, exchangeMessage } from '../../lib/exchange-client.ts';
import { nodePrincipal } from '../../lib/kafka/principals.ts';
import { grant } from '../helpers/consent-grant.ts';
import { expectFailure } from '../helpers/grpc-error.ts';
import { HubFixture, SOMCHAI, SOMSRI } from '../helpers/hub-fixture.ts';
import { KafkaTap, produce } from '../helpers/kafka-tap.ts';

const PERSON = 'dopa.civil-registration.person';
const INCOME = 'rd.income-tax.annual-summary';
const CLUSTER = 'exchange-hub.test';

/**
 * Several nodes on one Kafka behave as one hub: a token is accepted once in
 * the whole deployment, and a client request id causes one transfer, whichever
 * node is asked and however often nodes restart.
 */
describe('many nodes, one hub: shared replay guard and idempotency', () => {
  let hub: HubFixture;
  let nodeA: RunningNode;
  let nodeB: RunningNode;
  let audit: KafkaTap;

  beforeAll(async () => {
    hub = await HubFixture.start({ connectors: ['DOPA', 'RD'], node: { clusterAudience: CLUSTER } });
    nodeA = hub.node;
    nodeB = await hub.startNode({ nodeId: 'node-2', clusterAudience: CLUSTER, auditSequencer: false, auditQueries: false });
    hub.node = nodeA;
    audit = await KafkaTap.open('admin', `${hub.topicPrefix}audit`);
  });
  afterAll(async () => {
    await audit?.close();
    await nodeB?.stop();
    await hub?.stop();
  });

  const clientOn = async (node: RunningNode, agency = 'FPO', audience = node.config.nodeId) =>
    hub.track(new ExchangeClient(`127.0.0.1:${node.port}`, agency, await hub.key(agency), audience, await hub.transport(agency)));
  const entriesOf = (exchangeId: string) =>
    audit.messages.map((m) => JSON.parse(m.value!.toString()) as { kind: string; exchangeId?: string; nodeId: string; reason?: string }).filter((e) => e.exchangeId === exchangeId);
  const fetches = () => hub.backends.get('DOPA')!.total;
  const person = (subject = SOMSRI, clientRequestId = randomUUID()) => ({ subject, recordType: PERSON, purpose: 'WELFARE_ELIGIBILITY', clientRequestId });

  it('the same client_request_id sent to two nodes at once: one provider fetch, one delivery, and both callers get that record', async () => {
    const before = fetches();
    const request = person(SOMCHAI);
    const [a, b] = await Promise.all([(await clientOn(nodeA)).requestRecord(request), (await clientOn(nodeB)).requestRecord(request)]);
    expect(fetches() - before).toBe(1);
    expect(b.exchangeId).toBe(a.exchangeId);
    expect(b.recordJson).toBe(a.recordJson);
    expect(b.providerSignature).toBe(a.providerSignature);
    await expect.poll(() => entriesOf(a.exchangeId).map((e) => e.kind).sort(), { timeout: 5_000 }).toEqual(['decision', 'delivered', 'replayed', 'request-received']);
  });

  it('a retry after the node that answered restarted: no second fetch, the first answer again, on the record as a replay', async () => {
    const request = person();
    const first = await (await clientOn(nodeA)).requestRecord(request);
    const before = fetches();
    await nodeB.stop();
    nodeB = await hub.startNode({ nodeId: 'node-2', clusterAudience: CLUSTER, auditSequencer: false, auditQueries: false });
    hub.node = nodeA;
    const again = await (await clientOn(nodeB)).requestRecord(request);
    expect(again.exchangeId).toBe(first.exchangeId);
    expect(again.recordJson).toBe(first.recordJson);
    expect(fetches()).toBe(before);
    await expect.poll(() => entriesOf(first.exchangeId).filter((e) => e.kind === 'replayed').map((e) => e.nodeId), { timeout: 5_000 }).toEqual(['node-2']);
  });

  it('the same client_request_id for a different request is refused on any node', async () => {
    const request = person();
    await (await clientOn(nodeA)).requestRecord(request);
    await expectFailure((await clientOn(nodeB)).requestRecord({ ...request, subject: SOMCHAI }), status.ALREADY_EXISTS, 'ERR_IDEMPOTENCY_KEY_REUSED');
  });

  it('a captured token is refused at another node and after a restart; a token for the cluster audience works once, anywhere', async () => {
    const fpoA = await clientOn(nodeA, 'FPO', CLUSTER);
    const fpoB = await clientOn(nodeB, 'FPO', CLUSTER);
    const body = person();
    const token = await signAgencyToken('FPO', await hub.key('FPO'), CLUSTER, fpoA.digestOf('RequestRecord', exchangeMessage(body)));
    await fpoA.requestRecord(body, { token });
    const before = fetches();
    await expectFailure(fpoB.requestRecord(body, { token }), status.UNAUTHENTICATED, 'ERR_AUTH_REPLAYED');
    await nodeB.stop();
    nodeB = await hub.startNode({ nodeId: 'node-2', clusterAudience: CLUSTER, auditSequencer: false, auditQueries: false });
    hub.node = nodeA;
    await expectFailure((await clientOn(nodeB, 'FPO', CLUSTER)).requestRecord(body, { token }), status.UNAUTHENTICATED, 'ERR_AUTH_REPLAYED');
    expect(fetches()).toBe(before);
    // The consent and audit services share the guard: a captured consent-manager token too.
    const dgaOn = async (node: RunningNode) => hub.track(new ConsentClient(`127.0.0.1:${node.port}`, 'DGA', await hub.key('DGA'), CLUSTER, await hub.transport('DGA')));
    const grantBody = grant(SOMSRI);
    const dgaA = await dgaOn(nodeA);
    const grantToken = await dgaA.tokenFor('Grant', grantBody);
    await dgaA.call('Grant', grantBody, { token: grantToken });
    await expectFailure((await dgaOn(nodeB)).call('Grant', grantBody, { token: grantToken }), status.UNAUTHENTICATED, 'ERR_AUTH_REPLAYED');
  });

  it('a retry after the citizen withdrew consent is denied, not answered from the stored record, and the denial is on the record', async () => {
    const dga = await hub.consentClient('DGA', nodeA);
    const { consent } = await dga.call<{ consent: { consentId: string } }>('Grant', grant(SOMSRI, { maxUses: 1 }));
    const request = { subject: SOMSRI, recordType: INCOME, purpose: 'PUBLIC_HEALTH_SERVICE', consentId: consent.consentId, clientRequestId: randomUUID() };
    const first = await (await clientOn(nodeA, 'MOPH')).requestRecord(request);
    // While the consent stands, a retry gets the stored answer (it is not a second use of a one-use consent).
    const retry = await (await clientOn(nodeB, 'MOPH')).requestRecord(request);
    expect(retry.recordJson).toBe(first.recordJson);
    await dga.call('Revoke', { consentId: consent.consentId, subject: SOMSRI, reason: 'changed my mind' });
    await expect.poll(() => nodeB.consents.view.get(consent.consentId)?.revokedAt, { timeout: 2_000 }).toBeDefined();
    const rds = hub.backends.get('RD')!.total;
    await expectFailure((await clientOn(nodeB, 'MOPH')).requestRecord(request), status.PERMISSION_DENIED, 'ERR_CONSENT_REVOKED');
    expect(hub.backends.get('RD')!.total).toBe(rds);
    await expect
      .poll(() => entriesOf(first.exchangeId).filter((e) => e.kind === 'decision' && e.reason === 'ERR_CONSENT_REVOKED').length, { timeout: 5_000 })
      .toBe(1);
  });

  it('a forged claim on the claims topic blocks nothing: refused, dead-lettered and counted', async () => {
    const body = person();
    const token = await signAgencyToken('FPO', await hub.key('FPO'), 'node-1', (await clientOn(nodeA)).digestOf('RequestRecord', exchangeMessage(body)));
    // An insider with a node's Kafka credentials (but not its signing key) stakes a claim on everything.
    const forged = JSON.stringify({ v: 1, type: 'claim', claimId: randomUUID(), at: Date.now(), token: { key: 'A'.repeat(43), exp: Date.now() + 60_000 }, nodeId: 'node-2', kid: 'x', sig: 'AAAA' });
    await produce(nodePrincipal('node-2'), `${hub.topicPrefix}claims`, forged);
    const response = await (await clientOn(nodeA)).requestRecord(body, { token });
    expect(JSON.parse(response.recordJson).firstNameTh).toBe('สมศรี');
    await expect
      .poll(async () => (await nodeA.metrics.getSingleMetric('xhub_rejected_records_total')?.get())?.values.find((v) => v.labels.topic === 'claims')?.value, { timeout: 5_000 })
      .toBeGreaterThanOrEqual(1);
  });
});
