import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubFixture, SOMSRI } from '../helpers/hub-fixture.ts';

type Page = { entries: { index: string; entryJson: string }[] };

describe('the audit query index on disk', () => {
  let hub: HubFixture;
  let file: string;

  beforeAll(async () => {
    hub = await HubFixture.start({ connectors: ['DOPA'] });
    file = join(hub.stateDir, 'audit-index.sqlite');
    await hub.node.stop();
    await hub.startNode({ auditIndexFile: file });
    for (let i = 0; i < 3; i++) {
      await (await hub.client('FPO')).requestRecord({ subject: SOMSRI, recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() });
    }
  });
  afterAll(() => hub?.stop());

  const indexed = async (expected: number): Promise<Page> => {
    const pdpc = await hub.auditClient();
    const deadline = Date.now() + 15_000;
    for (;;) {
      const page = await pdpc.call<Page>('Query', { subject: SOMSRI, pageSize: 1000 });
      if (page.entries.length >= expected || Date.now() > deadline) return page;
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  it('survives a restart, and rebuilds the same answers from the topic when deleted', async () => {
    const before = await indexed(9);
    expect(before.entries).toHaveLength(9);
    expect(existsSync(file)).toBe(true);

    await hub.node.stop();
    await hub.startNode({ auditIndexFile: file });
    expect((await indexed(9)).entries).toEqual(before.entries);

    await hub.node.stop();
    await rm(file);
    await hub.startNode({ auditIndexFile: file });
    expect((await indexed(9)).entries).toEqual(before.entries);
  });
});
