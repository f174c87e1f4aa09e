import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFailure } from '../helpers/grpc-error.ts';
import { HubFixture, SOMSRI } from '../helpers/hub-fixture.ts';

describe('policy reload without restart', () => {
  let hub: HubFixture;
  let agreementsFile: string;
  let original: string;

  beforeAll(async () => {
    hub = await HubFixture.start({ connectors: ['DOPA'] });
    agreementsFile = join(hub.demo.policiesDir, 'agreements.json');
    original = await readFile(agreementsFile, 'utf8');
  });
  afterAll(() => hub?.stop());

  const ask = async () =>
    (await hub.client('FPO')).requestRecord({ subject: SOMSRI, recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() });

  it('refuses an invalid policy with its reasons, and the old policy keeps deciding', async () => {
    const broken = JSON.parse(original);
    broken.agreements[0].consumer = 'NOBODY';
    broken.agreements[1].fields = 'all';
    await writeFile(agreementsFile, JSON.stringify(broken));
    const result = await hub.node.reloadPolicy();
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.issues).toContainEqual({ file: 'agreements.json', path: '/agreements/1/fields', reason: 'must be array' });
    expect((await ask()).providerId).toBe('DOPA');
  });

  it('puts a valid change in force when the folder changes, with no call', async () => {
    const changed = JSON.parse(original);
    changed.agreements = changed.agreements.filter((a: { id: string }) => a.id !== 'FPO-DOPA-person-2026');
    const before = hub.node.policy();
    await writeFile(agreementsFile, JSON.stringify(changed));
    const deadline = Date.now() + 10_000;
    while (hub.node.policy() === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(hub.node.policy()).not.toBe(before);
    await expectFailure(ask(), status.PERMISSION_DENIED, 'ERR_NO_AGREEMENT');
  });
});
