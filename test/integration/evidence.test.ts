import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EvidenceBundle } from '../../broker/evidence/evidence.types.ts';
import { verifyEvidence, type EvidenceTrust } from '../../broker/evidence/verify-evidence.ts';
import { hubVerifier } from '../../cli/commands/audit/verify.ts';
import { REPO_ROOT } from '../../cli/demo-setup.ts';
import type { AuditClient } from '../../lib/audit-client.ts';
import { KeyObject } from 'node:crypto';
import { generateAgencyKeyPair, importSigningKey } from '../../lib/crypto/keys.ts';
import { signReceipt } from '../../lib/envelope/receipt.ts';
import { noteSigner, verifierOf } from '../../lib/merkle/signed-note.ts';
import type { Evidence__Output } from '../../lib/proto-types/xhub/audit/v1/Evidence.ts';
import type { RequestRecordResponse } from '../../lib/proto.ts';
import { loadPolicy } from '../../policies/policy-loader.ts';
import { expectFailure } from '../helpers/grpc-error.ts';
import { HubFixture, SOMSRI } from '../helpers/hub-fixture.ts';

const run = promisify(execFile);
const PERSON = { subject: SOMSRI, recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY' };

/**
 * A DPO takes the evidence of one transfer away from the hub and checks it
 * offline: a real exchange on a real hub, its bundle fetched with GetEvidence,
 * checked by `xhub evidence verify` and refused once anything in it changes.
 */
describe('evidence bundle of one exchange', () => {
  let hub: HubFixture;
  let pdpc: AuditClient;
  let delivered: RequestRecordResponse;
  let bundleJson: string;
  let trust: EvidenceTrust;

  beforeAll(async () => {
    hub = await HubFixture.start({ connectors: ['DOPA'] });
    const fpo = await hub.client('FPO');
    const clientRequestId = randomUUID();
    delivered = await fpo.requestRecord({ ...PERSON, clientRequestId });
    // A retry: the same record handed out again, a `replayed` entry with the same receipt.
    await fpo.requestRecord({ ...PERSON, clientRequestId });
    pdpc = await hub.auditClient('PDPC');
    // Until a signed checkpoint covers its entries, the bundle is refused as not yet available.
    bundleJson = await vi.waitFor(
      async () => {
        const answer = await pdpc.call<Evidence__Output>('GetEvidence', { exchangeId: delivered.exchangeId });
        // The replay's entry too: four entries under a signed checkpoint.
        expect((JSON.parse(answer.bundleJson) as EvidenceBundle).entries).toHaveLength(4);
        return answer.bundleJson;
      },
      { timeout: 20_000, interval: 300 },
    );
    const policy = await loadPolicy(hub.demo.policiesDir);
    const bundle = JSON.parse(bundleJson) as EvidenceBundle;
    trust = { log: await hubVerifier(hub.demo.policiesDir, bundle.checkpoint.split('\n')[0]!), keys: policy.keys, anchored: true };
  });
  afterAll(() => hub?.stop());

  const bundle = () => JSON.parse(bundleJson) as EvidenceBundle;
  const cli = async (args: string[]) =>
    run(process.execPath, ['cli/xhub.ts', 'evidence', ...args], { cwd: REPO_ROOT }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout + e.stderr }),
    );

  it('holds the exchange as logged: received, decision, delivered and the replay, the receipt and the token digest, and no citizen id or record content', () => {
    const b = bundle();
    const kinds = b.entries.map((e) => (JSON.parse(Buffer.from(e.bytes, 'base64').toString()) as { kind: string }).kind);
    expect(kinds).toEqual(['request-received', 'decision', 'delivered', 'replayed']);
    expect(b.providerReceipt).toBe(delivered.providerReceipt);
    expect(b.tokenDigest).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const everything = `${bundleJson}\n${b.entries.map((e) => Buffer.from(e.bytes, 'base64').toString()).join('\n')}\n${Buffer.from(b.providerReceipt!.split('.')[1]!, 'base64url').toString()}`;
    expect(everything).not.toContain(SOMSRI);
    const record = JSON.parse(delivered.recordJson) as Record<string, string>;
    for (const value of Object.values(record)) expect(everything).not.toContain(String(value));
  });

  it('`xhub evidence verify` accepts it with the public policy folder, and refuses it with one byte changed', async () => {
    const file = join(hub.stateDir, 'evidence.json');
    await writeFile(file, bundleJson);
    const ok = await cli(['verify', file, '--policies', hub.demo.policiesDir]);
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.stdout).toMatch(/^OK: exchange [0-9a-f-]{36}: 4 entries \(request-received, decision, delivered, replayed\) .* provider receipt verified/m);

    // One byte: a character of the delivered entry's logged bytes.
    const text = await readFile(file, 'utf8');
    const at = text.indexOf(bundle().entries[2]!.bytes) + 40;
    const changed = `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;
    await writeFile(file, changed);
    const refused = await cli(['verify', file, '--policies', hub.demo.policiesDir]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/^FAIL: entry \d+: /m);
  });

  it('fetched by the CLI as an auditor, then checked with only the keys it carries: consistent, and said to be unanchored', async () => {
    const tls = hub.demo.tls;
    const file = join(hub.stateDir, 'evidence-cli.json');
    const auditor = ['--key', hub.demo.agencyKeyFile('PDPC'), '--node', hub.address, '--audience', 'node-1', '--ca', tls.caFile, '--cert', tls.clientCertFile('PDPC'), '--tls-key', tls.clientKeyFile('PDPC')];
    expect(await cli(['get', '--exchange-id', delivered.exchangeId, '--out', file, ...auditor])).toMatchObject({ code: 0 });
    const got = await cli(['verify', file, '--trust-embedded-keys']);
    expect(got.code).toBe(0);
    expect(got.stdout).toMatch(/NOT ANCHORED/);
    // Without a trust anchor at all, it refuses to say anything.
    expect((await cli(['verify', file, '--policies', join(hub.stateDir, 'no-such-folder')])).stdout).toMatch(/give --policies/);
  });

  it.each([
    ['a proof hash changed', (b: EvidenceBundle) => (b.entries[1]!.inclusionProof[0] = Buffer.alloc(32, 7).toString('base64')), /^entry \d+$/],
    ['the checkpoint edited (its size)', (b: EvidenceBundle) => (b.checkpoint = b.checkpoint.replace(/\n(\d+)\n/, (_, n: string) => `\n${Number(n) + 1}\n`)), /^checkpoint$/],
    ['another exchange id', (b: EvidenceBundle) => (b.exchangeId = randomUUID()), /^entry \d+$/],
    ['its first entry left out', (b: EvidenceBundle) => b.entries.shift(), /^entries$/],
    ['a token digest that is not the logged one', (b: EvidenceBundle) => (b.tokenDigest = 'A'.repeat(43)), /^token digest$/],
    ['an unknown format', (b: EvidenceBundle) => ((b as { format: string }).format = 'xhub-evidence/v9'), /^format$/],
  ])('refuses a bundle with %s, naming the check', async (_, edit, check) => {
    const b = bundle();
    edit(b);
    const report = await verifyEvidence(b, trust);
    expect(report.ok).toBe(false);
    expect(report.ok ? '' : report.check).toMatch(check);
  });

  it('refuses it with any one non-blank character changed, at every 5th position of the file', async () => {
    const accepted: number[] = [];
    for (let at = 0; at < bundleJson.length; at += 5) {
      const c = bundleJson[at]!;
      if (/\s/.test(c)) continue;
      const changed = `${bundleJson.slice(0, at)}${c === 'A' ? 'B' : c === '"' ? 'x' : 'A'}${bundleJson.slice(at + 1)}`;
      let parsed: unknown;
      try {
        parsed = JSON.parse(changed);
      } catch {
        continue;
      }
      if ((await verifyEvidence(parsed, trust)).ok) accepted.push(at);
    }
    expect(accepted.map((at) => bundleJson.slice(Math.max(0, at - 20), at + 20))).toEqual([]);
  });

  it('refuses a proof hash in a non-canonical base64 form that decodes to the same bytes (regression: the pad bits were ignored)', async () => {
    const b = bundle();
    const hash = b.entries[0]!.inclusionProof[0]!;
    const last = hash.at(-2)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    // A 32-byte hash leaves the low 2 bits of its last character unused.
    const twin = alphabet[alphabet.indexOf(last) ^ 1]!;
    b.entries[0]!.inclusionProof[0] = `${hash.slice(0, -2)}${twin}=`;
    expect(Buffer.from(b.entries[0]!.inclusionProof[0], 'base64').equals(Buffer.from(hash, 'base64'))).toBe(true);
    expect(await verifyEvidence(b, trust)).toMatchObject({ ok: false, check: 'entry 0' });
  });

  it('refuses embedded keys that are not the trusted ones, an extra member, and a missing token digest', async () => {
    const b = bundle();
    const name = Object.keys(b.keys.nodes)[0]!;
    b.keys.nodes[name] = { ...b.keys.nodes[name]!, x: `${b.keys.nodes[name]!.x!.slice(0, -2)}AA` };
    expect(await verifyEvidence(b, trust)).toMatchObject({ ok: false, check: 'keys' });
    expect(await verifyEvidence({ ...bundle(), createdAt: '2026-01-01' }, trust)).toMatchObject({ ok: false, check: 'format' });
    const { tokenDigest: _, ...withoutToken } = bundle();
    expect(await verifyEvidence(withoutToken, trust)).toMatchObject({ ok: false, check: 'token digest' });
  });

  it("refuses a provider receipt swapped for one the provider signed for other content, and one signed with a key that is not the provider's", async () => {
    const b = bundle();
    const original = JSON.parse(Buffer.from(b.providerReceipt!.split('.')[1]!, 'base64url').toString()) as Parameters<typeof signReceipt>[0];
    const dopa = await hub.key('DOPA');
    b.providerReceipt = await signReceipt({ ...original, payloadDigest: 'B'.repeat(43) }, dopa);
    expect(await verifyEvidence(b, trust)).toMatchObject({ ok: false, check: 'receipt of the delivered entry' });
    const stranger = await importSigningKey((await generateAgencyKeyPair(dopa.kid)).privateJwk, 'a stranger');
    b.providerReceipt = await signReceipt(original, stranger);
    expect(await verifyEvidence(b, trust)).toMatchObject({ ok: false, check: 'receipt of the delivered entry' });
  });

  it("refuses it against a log key that is not the hub's", async () => {
    const stranger = await importSigningKey((await generateAgencyKeyPair('other')).privateJwk, 'a stranger');
    const other = verifierOf(noteSigner(trust.log.name, KeyObject.from(stranger.key)));
    expect(await verifyEvidence(bundle(), { ...trust, log: other })).toMatchObject({ ok: false, check: 'checkpoint' });
  });

  it('is for auditors only, and says what was wrong with a bad or unknown exchange id', async () => {
    const fpo = await hub.auditClient('FPO');
    await expectFailure(fpo.call('GetEvidence', { exchangeId: delivered.exchangeId }), status.PERMISSION_DENIED, 'ERR_ROLE_REQUIRED');
    expect(await expectFailure(pdpc.call('GetEvidence', { exchangeId: 'not-an-id' }), status.INVALID_ARGUMENT, 'ERR_INVALID_ARGUMENT')).toMatch(/exchange_id/);
    await expectFailure(pdpc.call('GetEvidence', { exchangeId: randomUUID() }), status.NOT_FOUND, 'ERR_NOT_FOUND');
  });
});
