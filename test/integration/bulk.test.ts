import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../cli/demo-setup.ts';
import { sha256b64url } from '../../lib/crypto/digest.ts';
import { grant } from '../helpers/consent-grant.ts';
import { expectFailure } from '../helpers/grpc-error.ts';
import { SOMCHAI, SOMSRI } from '../helpers/hub-fixture.ts';
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

  const missing = citizens(1, 9000)[0]!;
  dopa.missing.add(missing);

  beforeAll(async () => {
    // A clock skew of 1 s (30 by default) lets a short-lived token run out within a test.
    hub = await HubFixture.start({ connectors: ['RD'], node: { clockSkewSec: 1 } });
    await hub.startConnector('DOPA', dopa);
  });

  type Entry = { entryJson: string };
  const auditOf = async (subject: string, kind: string, expected: number) => {
    const pdpc = await hub.auditClient();
    await expect.poll(async () => (await pdpc.call<{ entries: Entry[] }>('Query', { subject, kind })).entries.length, { timeout: 15_000 }).toBe(expected);
    return (await pdpc.call<{ entries: Entry[] }>('Query', { subject, kind })).entries.map((e) => JSON.parse(e.entryJson) as Record<string, unknown>);
  };
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

  it('decides, checks and audits every record on its own: a bad id, a person the provider lacks and a delivery each get their own answer and entries', async () => {
    const fpo = await hub.client('FPO');
    const [alice] = citizens(1, 5000);
    const badId = `${alice!.slice(0, 12)}${(Number(alice!.at(-1)) + 1) % 10}`;
    const { results } = await runJob(fpo, { jobId: randomUUID(), batchSize: 10 }, [
      { index: 0, subject: alice! },
      { index: 3, subject: badId },
      { index: 4, subject: missing },
    ]);
    expect(results.map((r) => [r.index, r.status, r.errorCode])).toEqual([
      [0, 'DELIVERED', ''],
      [3, 'FAILED', 'ERR_INVALID_CITIZEN_ID'],
      [4, 'FAILED', 'ERR_RECORD_NOT_FOUND'],
    ]);
    // Minimised: exactly the agreement's fields for this purpose.
    expect(Object.keys(JSON.parse(results[0]!.recordJson)).sort()).toEqual(['dateOfBirth', 'firstNameTh', 'lastNameTh', 'lifeStatus', 'titleTh']);
    // No record without its audit entry: the delivery is on the log under the item's own exchange id, with the record's digest.
    const [delivered] = await auditOf(alice!, 'delivered', 1);
    expect(delivered).toMatchObject({ exchangeId: results[0]!.exchangeId, consumer: 'FPO', provider: 'DOPA', payloadDigest: sha256b64url(results[0]!.recordJson) });
    const [decision] = await auditOf(alice!, 'decision', 1);
    expect(decision).toMatchObject({ exchangeId: results[0]!.exchangeId, decision: 'permit', lawfulBasis: 'public-task' });
    expect(await auditOf(missing, 'failed', 1)).toMatchObject([{ reason: 'ERR_RECORD_NOT_FOUND', provider: 'DOPA', consumer: 'FPO' }]);
    expect(JSON.stringify(delivered)).not.toContain(alice);
  });

  it('checks each person’s consent: with it the record comes, without it the person is refused and the refusal is audited', async () => {
    const dga = await hub.consentClient();
    const { consent } = await dga.call<{ consent: { consentId: string } }>('Grant', grant(SOMSRI));
    const moph = await hub.client('MOPH');
    const results: BulkResultOutput[] = [];
    for await (const m of moph.requestRecords({ jobId: randomUUID(), recordType: 'rd.income-tax.annual-summary', purpose: 'PUBLIC_HEALTH_SERVICE' }, [
      { index: 0, subject: SOMSRI, consentId: consent.consentId },
      { index: 1, subject: SOMCHAI, consentId: consent.consentId },
      { index: 2, subject: SOMCHAI },
    ])) {
      if (m.results) results.push(...m.results.items);
    }
    results.sort((a, b) => a.index - b.index);
    expect(results[0]).toMatchObject({ status: 'DELIVERED', providerId: 'RD' });
    expect(results[1]).toMatchObject({ status: 'FAILED', errorCode: expect.stringMatching(/^ERR_CONSENT_/) });
    expect(results[2]).toMatchObject({ status: 'FAILED', errorCode: expect.stringMatching(/^ERR_CONSENT_/) });
    const denials = await auditOf(SOMCHAI, 'decision', 2);
    expect(denials.every((d) => d.decision === 'deny' && d.consumer === 'MOPH')).toBe(true);
  });

  it('resumes a job cut off mid-way without fetching anything twice: what ran is answered from its outcome', async () => {
    const fpo = await hub.client('FPO');
    const people = citizens(600, 10_000);
    const subjects = people.map((subject, index) => ({ index, subject }));
    const jobId = randomUUID();
    const first: BulkResultOutput[] = [];
    // The caller goes away after its first results.
    for await (const m of fpo.requestRecords({ recordType: PERSON, purpose: 'WELFARE_ELIGIBILITY', jobId, batchSize: 100 }, subjects)) {
      if (m.results) {
        first.push(...m.results.items);
        break;
      }
    }
    expect(first.length).toBeGreaterThan(0);
    const { results } = await runJob(fpo, { jobId, batchSize: 100 }, subjects);
    expect(results.map((r) => r.index)).toEqual(people.map((_, i) => i));
    expect(results.every((r) => r.status === 'DELIVERED' || r.status === 'ALREADY_DELIVERED')).toBe(true);
    for (const r of first) expect(results[r.index]).toMatchObject({ status: 'ALREADY_DELIVERED', exchangeId: r.exchangeId });
    // What the provider's own system saw: each person once, across both runs.
    for (const subject of people) expect(dopa.fetches.get(subject)).toBe(1);
    // A third run asks nobody.
    const again = await runJob(fpo, { jobId, batchSize: 100 }, subjects);
    expect(again.results.every((r) => r.status === 'ALREADY_DELIVERED')).toBe(true);
    for (const subject of people) expect(dopa.fetches.get(subject)).toBe(1);
  });

  it('refuses to reuse a job id for another request or another person at the same index, fetching nothing', async () => {
    const fpo = await hub.client('FPO');
    const people = citizens(3, 20_000);
    const jobId = randomUUID();
    await runJob(fpo, { jobId, batchSize: 10 }, people.map((subject, index) => ({ index, subject })));
    const other = await runJob(fpo, { jobId, batchSize: 10, purpose: 'IDENTITY_VERIFICATION' }, [{ index: 0, subject: people[0]! }]);
    expect(other.results[0]).toMatchObject({ status: 'FAILED', errorCode: 'ERR_IDEMPOTENCY_KEY_REUSED' });
    const swapped = await runJob(fpo, { jobId, batchSize: 10 }, [{ index: 1, subject: people[0]! }, { index: 5, subject: people[2]! }]);
    expect(swapped.results.map((r) => r.errorCode)).toEqual(['ERR_IDEMPOTENCY_KEY_REUSED', 'ERR_IDEMPOTENCY_KEY_REUSED']);
    for (const subject of people) expect(dopa.fetches.get(subject)).toBe(1);
  });

  it('a batch too big for one Kafka reply fails each item with ERR_BATCH_TOO_LARGE, audited, and a smaller batch size delivers them', async () => {
    const fpo = await hub.client('FPO');
    const people = citizens(100, 50_000);
    for (const p of people) dopa.padded.add(p);
    const subjects = people.map((subject, index) => ({ index, subject }));
    const big = await runJob(fpo, { jobId: randomUUID(), batchSize: 100 }, subjects);
    expect(big.results.every((r) => r.status === 'FAILED' && r.errorCode === 'ERR_BATCH_TOO_LARGE')).toBe(true);
    expect(big.results[0]!.errorMessage).toMatch(/smaller batch_size/);
    expect(await auditOf(people[0]!, 'failed', 1)).toMatchObject([{ reason: 'ERR_BATCH_TOO_LARGE', provider: 'DOPA' }]);
    const small = await runJob(fpo, { jobId: randomUUID(), batchSize: 20 }, subjects);
    expect(small.results.every((r) => r.status === 'DELIVERED')).toBe(true);
    expect(JSON.parse(small.results[0]!.recordJson).lastNameTh).toHaveLength(4096);
  });

  it('reads no subjects once the job token has expired, answers what it began, and the job resumes on a new stream', async () => {
    const fpo = await hub.client('FPO');
    const people = citizens(30, 60_000);
    const jobId = randomUUID();
    async function* slowly() {
      for (const [index, subject] of people.entries()) {
        // The first batch (10) goes at once; the rest after the 1 s token (and 1 s skew) has run out.
        if (index === 10) await new Promise((r) => setTimeout(r, 3_500));
        yield { index, subject };
      }
    }
    const first: BulkResultOutput[] = [];
    const cut = (async () => {
      for await (const m of fpo.requestRecords({ jobId, recordType: PERSON, purpose: 'WELFARE_ELIGIBILITY', batchSize: 10 }, slowly(), { tokenLifetimeSec: 1 })) {
        if (m.results) first.push(...m.results.items);
      }
    })();
    await expectFailure(cut, status.UNAUTHENTICATED, 'ERR_AUTH_EXPIRED');
    expect(first.map((r) => [r.index, r.status])).toEqual(people.slice(0, 10).map((_, i) => [i, 'DELIVERED']));
    const rest = await runJob(fpo, { jobId, batchSize: 10 }, people.slice(10).map((subject, i) => ({ index: i + 10, subject })));
    expect(rest.results.every((r) => r.status === 'DELIVERED')).toBe(true);
    for (const subject of people) expect(dopa.fetches.get(subject)).toBe(1);
  });

  it('refuses a stream that does not open with its job, and indexes that do not increase, naming the fault', async () => {
    const fpo = await hub.client('FPO');
    const noJob = await fpo.openStream('RequestRecords', { message: 'subjects', subjects: { items: [] } });
    noJob.end();
    await expectFailure(new Promise((resolve, reject) => noJob.on('data', () => {}).on('error', reject).on('end', resolve)), status.INVALID_ARGUMENT, 'ERR_INVALID_ARGUMENT');
    const backwards = runJob(fpo, { jobId: randomUUID() }, [{ index: 5, subject: citizens(1, 30_000)[0]! }, { index: 5, subject: citizens(1, 30_001)[0]! }]);
    await expectFailure(backwards, status.INVALID_ARGUMENT, 'ERR_INVALID_ARGUMENT');
    await expectFailure(runJob(fpo, { jobId: randomUUID(), batchSize: 5000 }, []), status.INVALID_ARGUMENT, 'ERR_INVALID_ARGUMENT');
  });

  it('xhub bulk reads a CSV, checks every record’s proof, writes JSON lines, and resumes from its own output', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xhub-bulk-cli-'));
    try {
      const people = citizens(40, 40_000);
      const csv = join(dir, 'subjects.csv');
      const out = join(dir, 'results.jsonl');
      await writeFile(csv, `subject,note\n${people.map((p) => `${p},x`).join('\n')}\n`);
      const tls = hub.demo.tls;
      const args = ['cli/xhub.ts', 'bulk', '--as', 'FPO', '--subjects', csv, '--out', out, '--record-type', PERSON, '--purpose', 'WELFARE_ELIGIBILITY', '--batch-size', '16', '--job-id', 'cli-job-1', '--policies', hub.demo.policiesDir, '--key', hub.demo.agencyKeyFile('FPO'), '--node', hub.address, '--audience', 'node-1', '--ca', tls.caFile, '--cert', tls.clientCertFile('FPO'), '--tls-key', tls.clientKeyFile('FPO')];
      const run = promisify(execFile);
      const { stderr } = await run(process.execPath, args, { cwd: REPO_ROOT });
      expect(stderr).toContain('job cli-job-1: 40 delivered, 0 delivered by an earlier run, 0 failed');
      const lines = (await readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { index: number; status: string; record: { lastNameTh: string } });
      expect(lines.map((l) => l.index).sort((a, b) => a - b)).toEqual(people.map((_, i) => i));
      expect(lines.find((l) => l.index === 7)?.record.lastNameTh).toBe(`ทดสอบ${people[7]!.slice(-4)}`);
      // Lose the last ten lines, as a crash would: the resume asks for those only, and nothing is fetched again.
      const kept = (await readFile(out, 'utf8')).trim().split('\n').slice(0, 30);
      await writeFile(out, `${kept.join('\n')}\n`);
      const resumed = await run(process.execPath, args, { cwd: REPO_ROOT });
      expect(resumed.stderr).toContain('30 already answered');
      expect(resumed.stderr).toContain('0 delivered, 10 delivered by an earlier run, 0 failed');
      for (const subject of people) expect(dopa.fetches.get(subject)).toBe(1);
      // A file that is not a list of citizen ids is refused, naming the line.
      await writeFile(csv, `subject\n${people[0]}\n1234\n`);
      await expect(run(process.execPath, [...args.slice(0, 2), ...args.slice(2)].map((a) => (a === 'cli-job-1' ? 'cli-job-2' : a)), { cwd: REPO_ROOT })).rejects.toMatchObject({ stderr: expect.stringContaining('line 3: not a valid 13-digit citizen id') });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
