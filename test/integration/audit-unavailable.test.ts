import { randomUUID } from 'node:crypto';
import type { ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodePrincipal } from '../../lib/kafka/principals.ts';
import { HubFixture, SOMSRI } from '../helpers/hub-fixture.ts';
import { revokeTopicRights } from '../helpers/revoke-rights.ts';


/**
 * When the audit topic cannot take an exchange's entries, the caller gets a
 * clear error and the operator a log line for every entry that was lost
 * (regression, issue 10: a failed `failed` entry was swallowed without a word).
 */
describe('an exchange whose audit entries cannot be written', () => {
  let hub: HubFixture;
  beforeAll(async () => {
    hub = await HubFixture.start({ connectors: [] });
  });
  afterAll(() => hub?.stop());

  it('ends in a clear error, and the lost failure entry is logged', async () => {
    // node-1 loses its right to write the audit topic (an operator's mistake, or a broker fault).
    await revokeTopicRights(`${hub.topicPrefix}audit`, nodePrincipal('node-1'), 'WRITE');
    const fpo = await hub.client('FPO');
    const request = { subject: SOMSRI, recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() };
    // Retry until the broker applies the removed ACL: the first calls may still be audited.
    await expect
      .poll(
        async () => {
          const error = await fpo.requestRecord({ ...request, clientRequestId: randomUUID() }, { timeoutMs: 4_000 }).then(() => undefined, (e: ServiceError) => e);
          return hub.logs.some((line) => line.includes('audit entry for a failed exchange could not be written')) && error !== undefined;
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe(true);
    const logged = hub.logs.filter((line) => line.includes('audit entry for a failed exchange could not be written'));
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.join('\n')).not.toContain(SOMSRI);
  });
});
