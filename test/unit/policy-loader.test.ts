import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { materialiseDemo } from '../../cli/demo-setup.ts';
import { loadPolicy, PolicyError } from '../../policies/policy-loader.ts';

let dir: string;
let policies: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xhub-policy-'));
  policies = (await materialiseDemo(dir)).policiesDir;
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function edit(file: string, change: (json: Record<string, any>) => void): Promise<void> {
  const path = join(policies, file);
  const json = JSON.parse(await readFile(path, 'utf8'));
  change(json);
  await writeFile(path, JSON.stringify(json));
}

async function issuesOf(): Promise<{ file: string; path: string; reason: string }[]> {
  const error = await loadPolicy(policies).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(PolicyError);
  return (error as PolicyError).issues;
}

describe('policy loading', () => {
  it('loads the demo set: 7 agencies, 5 record types, their agreements and keys', async () => {
    const policy = await loadPolicy(policies);
    expect([...policy.agencies.keys()]).toEqual(['DOPA', 'RD', 'MOPH', 'FPO', 'BMA', 'DGA', 'PDPC']);
    expect(policy.recordTypes.size).toBe(5);
    expect(policy.agreements.length).toBeGreaterThanOrEqual(8);
    expect(policy.recordTypes.get('dopa.civil-registration.person')?.fields).toContain('lifeStatus');
    expect(policy.keys.hasOwner('hub')).toBe(true);
  });

  it('names the file, JSON path and reason of a schema violation', async () => {
    await edit('agreements.json', (j) => (j.agreements[2].purposes = 'TAX_ASSESSMENT'));
    expect(await issuesOf()).toContainEqual({ file: 'agreements.json', path: '/agreements/2/purposes', reason: 'must be array' });
  });

  it('names an unknown property', async () => {
    await edit('agencies.json', (j) => (j.agencies[0].role = ['consumer']));
    expect(await issuesOf()).toContainEqual({ file: 'agencies.json', path: '/agencies/0', reason: 'unknown property "role"' });
  });

  it('binds client certificates to agencies, and refuses a malformed fingerprint', async () => {
    const policy = await loadPolicy(policies);
    expect(policy.agencies.get('FPO')?.tlsClientCertificates?.[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
    await edit('agencies.json', (j) => (j.agencies[2].tlsClientCertificates = [{ sha256: 'AB:CD' }]));
    expect(await issuesOf()).toContainEqual(expect.objectContaining({ file: 'agencies.json', path: '/agencies/2/tlsClientCertificates/0/sha256' }));
  });

  it('refuses one client certificate bound to two agencies', async () => {
    await edit('agencies.json', (j) => (j.agencies[1].tlsClientCertificates = j.agencies[0].tlsClientCertificates));
    expect(await issuesOf()).toContainEqual(expect.objectContaining({ file: 'agencies.json', path: '/agencies/1/tlsClientCertificates', reason: expect.stringMatching(/already bound to agency DOPA/) }));
  });

  it('refuses a disclosure deferral on an agreement that rests on consent, or one of impossible length', async () => {
    await edit('agreements.json', (j) => {
      const consent = j.agreements.findIndex((a: { lawfulBasis: { basis: string } }) => a.lawfulBasis.basis === 'consent');
      j.agreements[consent].deferDisclosure = { days: 30, citation: 'an investigation' };
      j.agreements[0].deferDisclosure = { days: 0, citation: 'an investigation' };
    });
    const issues = await issuesOf();
    expect(issues).toContainEqual(expect.objectContaining({ file: 'agreements.json', path: '/agreements/0/deferDisclosure/days', reason: 'must be >= 1' }));
    const policy = JSON.parse(await readFile(join(policies, 'agreements.json'), 'utf8')) as { agreements: { lawfulBasis: { basis: string } }[] };
    const consent = policy.agreements.findIndex((a) => a.lawfulBasis.basis === 'consent');
    await edit('agreements.json', (j) => (j.agreements[0].deferDisclosure = { days: 30, citation: 'an investigation' }));
    expect(await issuesOf()).toContainEqual(expect.objectContaining({ path: `/agreements/${consent}/deferDisclosure`, reason: expect.stringContaining('rests on consent') }));
  });

  it('loads the demo investigation agreement with its deferral', async () => {
    const policy = await loadPolicy(policies);
    expect(policy.agreements.find((a) => a.id === 'RD-DOPA-address-investigation-2026')?.deferDisclosure).toEqual({ days: 180, citation: expect.stringContaining('Revenue Code') });
  });

  it('refuses broken references between files', async () => {
    await edit('agreements.json', (j) => {
      j.agreements[0].consumer = 'NSO';
      j.agreements[1].fields.push('bankAccount');
      j.agreements[2].purposes.push('MARKETING');
    });
    const issues = await issuesOf();
    expect(issues).toContainEqual({ file: 'agreements.json', path: '/agreements/0/consumer', reason: 'unknown agency "NSO"' });
    expect(issues).toContainEqual(expect.objectContaining({ path: '/agreements/1/fields/3', reason: expect.stringContaining('no field "bankAccount"') }));
    expect(issues).toContainEqual(expect.objectContaining({ path: '/agreements/2/purposes/2', reason: 'unknown purpose "MARKETING"' }));
  });

  it('refuses an agreement that names a provider who does not provide that record type', async () => {
    await edit('agreements.json', (j) => (j.agreements[0].provider = 'RD'));
    expect(await issuesOf()).toContainEqual(expect.objectContaining({ path: '/agreements/0/provider', reason: expect.stringContaining('provided by DOPA') }));
  });

  it('refuses a file of an unknown major format version', async () => {
    await edit('purposes.json', (j) => (j.formatVersion = '2.0'));
    expect(await issuesOf()).toContainEqual({ file: 'purposes.json', path: '/formatVersion', reason: expect.stringContaining('not supported') });
  });

  it('refuses a file that is not JSON, and a missing file', async () => {
    await writeFile(join(policies, 'purposes.json'), '{ "formatVersion": "1", ');
    await rm(join(policies, 'hub.json'));
    const issues = await issuesOf();
    expect(issues).toContainEqual(expect.objectContaining({ file: 'purposes.json', reason: expect.stringContaining('not valid JSON') }));
    expect(issues).toContainEqual(expect.objectContaining({ file: 'hub.json', reason: expect.stringContaining('cannot read') }));
  });

  it('refuses a private key in a public JWKS', async () => {
    const secret = JSON.parse(await readFile(join(dir, 'secrets', 'RD.private.jwk.json'), 'utf8'));
    await edit('agencies.json', (j) => {
      delete j.agencies[1].jwksFile;
      j.agencies[1].jwks = { keys: [secret] };
    });
    expect((await issuesOf()).some((i) => i.path.startsWith('/agencies/1/jwks/keys/0'))).toBe(true);
  });

  it('refuses duplicate ids', async () => {
    await edit('purposes.json', (j) => j.purposes.push({ ...j.purposes[0] }));
    expect(await issuesOf()).toContainEqual(expect.objectContaining({ file: 'purposes.json', reason: 'duplicate id "WELFARE_ELIGIBILITY"' }));
  });
});
