import { randomUUID } from 'node:crypto';
import { status, type ServiceError } from '@grpc/grpc-js';
import type { SupervisedConsumer } from '../../lib/kafka/supervised-consumer.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNode } from '../../broker/node.ts';
import { ExchangeClient } from '../../lib/exchange-client.ts';
import { expectFailure } from '../helpers/grpc-error.ts';
import { grant } from '../helpers/consent-grant.ts';
import { HubFixture, SOMSRI } from '../helpers/hub-fixture.ts';

const INCOME = 'rd.income-tax.annual-summary';

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return Date.now() - started;
}

describe('two nodes sharing one Kafka', () => {
  let hub: HubFixture;
  let nodeA: RunningNode;
  let nodeB: RunningNode;

  beforeAll(async () => {
    hub = await HubFixture.start({ connectors: ['RD'] });
    nodeA = hub.node;
    nodeB = await hub.startNode({ nodeId: 'node-2' });
    hub.node = nodeA;
  });
  afterAll(async () => {
    await nodeB?.stop();
    await hub?.stop();
  });

  /**
   * Holds `node`'s consent view back for `ms`, as a view may trail the log under
   * load (anything under the 1 s lag tolerance still counts as current): the
   * race between two nodes, made certain instead of left to luck.
   */
  const trailing = (node: RunningNode, ms: number): Promise<void> => {
    const consumer = (node.consents as unknown as { consumer: SupervisedConsumer }).consumer.current()!;
    const topics = [{ topic: `${hub.topicPrefix}consent-events` }];
    consumer.pause(topics);
    return new Promise<void>((r) => setTimeout(r, ms)).then(() => consumer.resume(topics));
  };

  const clientOn = async (node: RunningNode) => {
    const client = new ExchangeClient(`127.0.0.1:${node.port}`, 'MOPH', await hub.key('MOPH'), node.config.nodeId, await hub.transport('MOPH'));
    return client;
  };

  it('a withdrawal on one node is enforced by the other within one second', async () => {
    const dgaOnA = await hub.consentClient('DGA', nodeA);
    const { consent } = await dgaOnA.call<{ consent: { consentId: string } }>('Grant', grant(SOMSRI));
    await waitUntil(() => nodeB.consents.view.get(consent.consentId) !== undefined, 5_000);
    const onB = await clientOn(nodeB);
    const ask = () => onB.requestRecord({ subject: SOMSRI, recordType: INCOME, purpose: 'PUBLIC_HEALTH_SERVICE', consentId: consent.consentId, clientRequestId: randomUUID() });
    await ask();

    await dgaOnA.call('Revoke', { consentId: consent.consentId, subject: SOMSRI });
    const seen = await waitUntil(() => nodeB.consents.view.get(consent.consentId)?.revokedAt !== undefined, 1_000);
    expect(seen).toBeLessThan(1_000);
    await expectFailure(ask(), status.PERMISSION_DENIED, 'ERR_CONSENT_REVOKED');
    onB.close();
  });

  it('refuses, on every node, a use written after the withdrawal, even on a node whose view has not caught up with it yet', async () => {
    const dgaOnA = await hub.consentClient('DGA', nodeA);
    const { consent } = await dgaOnA.call<{ consent: { consentId: string } }>('Grant', grant(SOMSRI));
    await waitUntil(() => nodeB.consents.view.get(consent.consentId) !== undefined, 5_000);
    const rd = hub.backends.get('RD')!;
    const fetchedBefore = rd.byRecord.get(`${INCOME}/${SOMSRI}`) ?? 0;
    const caughtUp = trailing(nodeB, 700);
    await dgaOnA.call('Revoke', { consentId: consent.consentId, subject: SOMSRI });
    expect(nodeB.consents.view.get(consent.consentId)?.revokedAt).toBeUndefined();
    const onB = await clientOn(nodeB);
    await expectFailure(
      onB.requestRecord({ subject: SOMSRI, recordType: INCOME, purpose: 'PUBLIC_HEALTH_SERVICE', consentId: consent.consentId, clientRequestId: randomUUID() }),
      status.PERMISSION_DENIED,
      'ERR_CONSENT_REVOKED',
    );
    await caughtUp;
    expect((rd.byRecord.get(`${INCOME}/${SOMSRI}`) ?? 0) - fetchedBefore).toBe(0);
    onB.close();
  });

  it('spends a consent for one transfer once, whatever the nodes and concurrent calls (issue 11: used twice through two nodes)', async () => {
    const dga = await hub.consentClient('DGA', nodeA);
    const { consent } = await dga.call<{ consent: { consentId: string } }>('Grant', grant(SOMSRI, { maxUses: 1 }));
    await waitUntil(() => nodeB.consents.view.get(consent.consentId) !== undefined, 5_000);
    const rd = hub.backends.get('RD')!;
    const fetchedBefore = rd.byRecord.get(`${INCOME}/${SOMSRI}`) ?? 0;
    const [onA, onB] = [await clientOn(nodeA), await clientOn(nodeB)];
    // Ten at once, alternating between the nodes, while node-2 has not yet read node-1's uses: its own view shows a use left.
    const caughtUp = trailing(nodeB, 700);
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 === 0 ? onA : onB)
          .requestRecord({ subject: SOMSRI, recordType: INCOME, purpose: 'PUBLIC_HEALTH_SERVICE', consentId: consent.consentId, clientRequestId: randomUUID() })
          .then(
            () => 'delivered',
            (e: ServiceError) => `${e.code} ${String(e.metadata?.get('xhub-error-code')[0])}`,
          ),
      ),
    );
    await caughtUp;
    expect(outcomes.filter((o) => o === 'delivered')).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'delivered')).toEqual(Array(9).fill(`${status.PERMISSION_DENIED} ERR_CONSENT_USES_EXHAUSTED`));
    expect((rd.byRecord.get(`${INCOME}/${SOMSRI}`) ?? 0) - fetchedBefore).toBe(1);
    // Each node has read the one use that counted: it is before the refused ones in the log, and each node read back a refused one of its own.
    for (const node of [nodeA, nodeB]) expect((await (await hub.consentClient('DGA', node)).call<{ uses: number }>('Get', { consentId: consent.consentId })).uses).toBe(1);
    onA.close();
    onB.close();

    await nodeB.stop();
    nodeB = await hub.startNode({ nodeId: 'node-2' });
    hub.node = nodeA;
    expect((await (await hub.consentClient('DGA', nodeB)).call<{ uses: number }>('Get', { consentId: consent.consentId })).uses).toBe(1);
  });

  it('a restarted node rebuilds consent state, uses included, from the topic', async () => {
    const dga = await hub.consentClient('DGA', nodeA);
    const { consent } = await dga.call<{ consent: { consentId: string } }>('Grant', grant(SOMSRI, { maxUses: 3 }));
    const onA = await clientOn(nodeA);
    await onA.requestRecord({ subject: SOMSRI, recordType: INCOME, purpose: 'PUBLIC_HEALTH_SERVICE', consentId: consent.consentId, clientRequestId: randomUUID() });
    const revoked = await dga.call<{ consent: { consentId: string } }>('Grant', grant(SOMSRI));
    await dga.call('Revoke', { consentId: revoked.consent.consentId, subject: SOMSRI });
    onA.close();

    await nodeB.stop();
    nodeB = await hub.startNode({ nodeId: 'node-2' });
    hub.node = nodeA;
    expect(nodeB.consents.view.get(consent.consentId)).toMatchObject({ uses: 1, maxUses: 3 });
    expect(nodeB.consents.view.get(revoked.consent.consentId)?.revokedAt).toBeDefined();
    const onB = await clientOn(nodeB);
    await expectFailure(
      onB.requestRecord({ subject: SOMSRI, recordType: INCOME, purpose: 'PUBLIC_HEALTH_SERVICE', consentId: revoked.consent.consentId, clientRequestId: randomUUID() }),
      status.PERMISSION_DENIED,
      'ERR_CONSENT_REVOKED',
    );
    onB.close();
  });
});
