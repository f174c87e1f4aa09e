import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withCheckDigit } from '../../lib/citizen-id.ts';
import { KeyRing } from '../../lib/crypto/key-ring.ts';
import { checkBulkRecord } from '../../lib/envelope/bulk/bulk-envelope.ts';
import type { BulkResultOutput } from '../../lib/proto.ts';
import type { ExchangeClient } from '../../lib/exchange-client.ts';
import { AnySubjectBackend } from '../helpers/any-subject-backend.ts';
import { HubFixture } from '../helpers/hub-fixture.ts';

const PERSON = 'dopa.civil-registration.person';
/** `n` distinct valid citizen ids. */
const citizens = (n: number, from = 0) => Array.from({ length: n }, (_, i) => withCheckDigit(`1100${String(from + i).padStart(8, '0')}`));

async function runJob(client: ExchangeClient, job: { jobId: string; recordType?: string; purpose?: string; batchSize?: number }, subjects: { index: number; subject: string }[]) {
  const results: BulkResultOutput[] = [];
  let progress: { received: number; answered: number } | undefined;
  for await (const message of client.requestRecords({ recordType: PERSON, purpose: 'WELFARE_ELIGIBILITY', ...job }, subjects)) {
    if (message.results) results.push(...message.results.items);
    if (message.progress) progress = message.progress;
  }
  return { results: results.sort((a, b) => a.index - b.index), progress };
}

describe('bulk exchange (Exchange.RequestRecords)', () => {
  let hub: HubFixture;
  const dopa = new AnySubjectBackend();

  beforeAll(async () => {
    hub = await HubFixture.start({ connectors: [] });
    await hub.startConnector('DOPA', dopa);
  });
  afterAll(() => hub?.stop());

  it('delivers every subject once, each record provable on its own with the provider key', async () => {
    const fpo = await hub.client('FPO');
    const people = citizens(300);
    const { results, progress } = await runJob(fpo, { jobId: randomUUID(), batchSize: 128 }, people.map((subject, index) => ({ index, subject })));
    expect(results).toHaveLength(300);
    expect(progress).toMatchObject({ received: 300, answered: 300 });
    expect(results.every((r) => r.status === 'DELIVERED')).toBe(true);
    expect(new Set(results.map((r) => r.exchangeId)).size).toBe(300);
    for (const subject of people) expect(dopa.fetches.get(subject)).toBe(1);
    const dopaKeys = await KeyRing.fromJwks([['DOPA', JSON.parse(await readFile(join(hub.demo.policiesDir, 'keys', 'DOPA.jwks.json'), 'utf8'))]]);
    const find = (provider: string, kid: string) => dopaKeys.find(provider, kid);
    const claim = (r: BulkResultOutput, subject: string) => ({ exchangeId: r.exchangeId, providerId: r.providerId, subject, recordJson: r.recordJson, fields: r.fieldsDelivered, proof: r.proof! });
    expect(JSON.parse(results[7]!.recordJson).lastNameTh).toBe(`ทดสอบ${people[7]!.slice(-4)}`);
    for (const [i, r] of results.entries()) expect(await checkBulkRecord(claim(r, people[i]!), find)).toBeUndefined();
    // Another person's record under this proof, or this record for another person: refused.
    expect(await checkBulkRecord({ ...claim(results[0]!, people[0]!), recordJson: results[1]!.recordJson }, find)).toMatch(/inclusion proof fails/);
    expect(await checkBulkRecord(claim(results[0]!, people[1]!), find)).toMatch(/inclusion proof fails/);
  });
});
