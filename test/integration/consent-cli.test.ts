import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../cli/demo-setup.ts';
import { HubFixture, SOMSRI } from '../helpers/hub-fixture.ts';

const run = promisify(execFile);
const INCOME = 'rd.income-tax.annual-summary';

/** `xhub consent …` and `xhub request --consent-id` against a real node (mutual TLS, real Kafka), as a consent manager and a consumer would run them. */
describe('consent from the command line', () => {
  let hub: HubFixture;

  beforeAll(async () => {
    hub = await HubFixture.start({ connectors: ['RD'] });
  });
  afterAll(() => hub?.stop());

  /** Runs `xhub <args>` as `agency`; resolves with the exit code and output, whatever the code. */
  const xhub = async (agency: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    const tls = hub.demo.tls;
    const as = ['--key', hub.demo.agencyKeyFile(agency), '--node', hub.address, '--ca', tls.caFile, '--cert', tls.clientCertFile(agency), '--tls-key', tls.clientKeyFile(agency)];
    return run(process.execPath, ['cli/xhub.ts', ...args, ...as], { cwd: REPO_ROOT }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
  };
  const consent = (args: string[]) => xhub('DGA', ['consent', ...args]);
  const grantArgs = (subject: string, extra: string[] = []) => [
    'grant', '--subject', subject, '--consumer', 'MOPH', '--record-types', INCOME, '--purposes', 'PUBLIC_HEALTH_SERVICE',
    '--valid-days', '30', '--data-life-days', '30', '--collection-method', 'web', '--collection-reference', 'cli-test', '--notice-version', 'moph-income-v3', '--json', ...extra,
  ];
  const granted = async (subject: string, extra: string[] = []) => {
    const out = await consent(grantArgs(subject, extra));
    expect(out, out.stderr).toMatchObject({ code: 0 });
    return JSON.parse(out.stdout) as { consent: { consentId: string; status: string; explicit: boolean; collection: { method: string } }; receipt: string };
  };

  it('grant → get → list → revoke → revoke-all, with exit codes', async () => {
    const subject = '3700600111227';
    const first = await granted(subject, ['--explicit']);
    expect(first.consent).toMatchObject({ status: 'ACTIVE', explicit: true, collection: { method: 'web' } });
    expect(first.receipt.split('.')).toHaveLength(3);

    const text = await consent(grantArgs(subject).filter((a) => a !== '--json'));
    expect(text.code).toBe(0);
    const secondId = /^consent (\S+) granted$/m.exec(text.stdout)?.[1];
    expect(text.stdout).toMatch(/not explicit {2}MOPH may receive rd\.income-tax\.annual-summary \(RD\) for PUBLIC_HEALTH_SERVICE/);
    expect(text.stdout).toMatch(/^receipt .*\n[\w-]+\.[\w-]+\.[\w-]+$/m);

    const got = await consent(['get', first.consent.consentId]);
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({ consentId: first.consent.consentId, status: 'ACTIVE', explicit: true });

    const listed = await consent(['list', '--subject', subject]);
    expect(listed.code).toBe(0);
    expect(listed.stdout.trim().split('\n')).toHaveLength(2);
    expect(listed.stdout).toContain(`${first.consent.consentId}  ACTIVE  explicit`);

    const revoked = await consent(['revoke', first.consent.consentId, '--subject', subject, '--reason', 'changed my mind']);
    expect(revoked).toMatchObject({ code: 0, stdout: expect.stringContaining(`${first.consent.consentId}  REVOKED`) });

    const all = await consent(['revoke-all', '--subject', subject]);
    expect(all).toMatchObject({ code: 0, stdout: `revoked 1 consents:\n${secondId}\n` });
    const after = await consent(['list', '--subject', subject, '--json']);
    expect((JSON.parse(after.stdout) as { status: string }[]).map((c) => c.status)).toEqual(['REVOKED', 'REVOKED']);
  });

  it('refuses what the service refuses, printing its error code and message, with a non-zero exit', async () => {
    const badPurpose = await consent(grantArgs(SOMSRI).map((a) => (a === 'PUBLIC_HEALTH_SERVICE' ? 'MARKETING' : a)));
    expect(badPurpose.code).not.toBe(0);
    expect(badPurpose.stderr).toMatch(/^ERR_INVALID_ARGUMENT: purposes: unknown purpose "MARKETING"$/m);
    const badMethod = await consent(grantArgs(SOMSRI).map((a) => (a === 'web' ? 'carrier-pigeon' : a)));
    expect(badMethod).toMatchObject({ code: 1, stderr: expect.stringMatching(/^ERR_INVALID_ARGUMENT: collection\.method must be one of/m) });
    const badId = await consent(grantArgs('1101700203451'));
    expect(badId).toMatchObject({ code: 1, stderr: expect.stringMatching(/^ERR_INVALID_CITIZEN_ID: /m) });
    const unknown = await consent(['get', '00000000-0000-4000-8000-000000000000']);
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringMatching(/^ERR_NOT_FOUND: no consent with id/m) });
    const notManager = await xhub('FPO', ['consent', 'list', '--as', 'FPO', '--subject', SOMSRI]);
    expect(notManager).toMatchObject({ code: 1, stderr: expect.stringMatching(/^ERR_ROLE_REQUIRED: /m) });
  });

  it('`xhub request --consent-id` gets a record whose agreement rests on consent', async () => {
    const { consent: c } = await granted(SOMSRI);
    const request = (consentId?: string) =>
      xhub('MOPH', ['request', '--agency', 'MOPH', '--policies', hub.demo.policiesDir, '--subject', SOMSRI, '--record-type', INCOME, '--purpose', 'PUBLIC_HEALTH_SERVICE', ...(consentId ? ['--consent-id', consentId] : [])]);
    const without = await request();
    expect(without).toMatchObject({ code: 1, stderr: expect.stringMatching(/^ERR_CONSENT_REQUIRED: /m) });
    const delivered = await request(c.consentId);
    expect(delivered.code, delivered.stderr).toBe(0);
    expect(delivered.stdout).toMatch(/record from RD, signature verified/);
    expect(delivered.stdout).toContain('"assessableIncome": 182000');
  });
});
