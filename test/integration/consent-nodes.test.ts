import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
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
