import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, totpOf } from '../../broker/console/console-users.ts';
import type { RunningNode } from '../../broker/node.ts';
import { REPO_ROOT } from '../../cli/demo-setup.ts';
import { loadPolicy } from '../../policies/policy-loader.ts';
import { HubFixture, SOMCHAI, SOMSRI } from '../helpers/hub-fixture.ts';
import { KafkaTap } from '../helpers/kafka-tap.ts';
import { grant } from '../helpers/consent-grant.ts';

const run = promisify(execFile);
const SCREENSHOTS = join(REPO_ROOT, 'docs', 'screenshots');
/** Debian's Chromium (`.ci/run` installs it); Playwright never downloads a browser here. */
const CHROMIUM = process.env.XHUB_CHROMIUM ?? '/usr/bin/chromium';
const PASSWORD = 'correct horse battery staple';

/** Every visible form field has a label, and headings go down one level at a time from a single h1. */
async function accessibilityProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    for (const field of Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))) {
      const id = field.getAttribute('id');
      if (!id || !document.querySelector(`label[for="${id}"]`)) problems.push(`field ${field.getAttribute('name') ?? '?'} has no label`);
    }
    const levels = Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6')).map((h) => Number(h.tagName[1]));
    if (levels.filter((l) => l === 1).length !== 1) problems.push(`${levels.filter((l) => l === 1).length} h1 headings`);
    levels.forEach((l, i) => {
      if (i > 0 && l > levels[i - 1]! + 1) problems.push(`heading h${l} follows h${levels[i - 1]}`);
    });
    if (!document.documentElement.lang) problems.push('no lang on <html>');
    return problems;
  });
}

/**
 * The DPO console in a real browser (Debian's Chromium through playwright-core):
 * signing in with a password and a TOTP code, refusals, a DPO's path from a
 * search to an exchange and its evidence bundle, and that looking is logged.
 */
describe('DPO console in the browser', () => {
  let hub: HubFixture;
  let auditNode: RunningNode;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let audit: KafkaTap;
  let base: string;
  let exchangeId: string;
  let investigation: string;
  let secret: string;
  let dir: string;

  beforeAll(async () => {
    hub = await HubFixture.start({ connectors: ['DOPA'] });
    dir = await mkdtemp(join(tmpdir(), 'xhub-console-'));
    const usersFile = join(dir, 'console-users.json');
    const policy = await loadPolicy(hub.demo.policiesDir);
    secret = (await addUser(usersFile, policy, { name: 'dpo.somchai', agency: 'PDPC', password: PASSWORD })).secret;
    await addUser(usersFile, policy, { name: 'dpo.locked', agency: 'PDPC', password: PASSWORD });
    const serving = hub.node;
    auditNode = await hub.startNode({ nodeId: 'node-2', auditSequencer: false, console: { listen: '127.0.0.1:0', usersFile, maxFailures: 3, lockoutMs: 600_000, addressMaxFailures: 12 } });
    hub.node = serving;
    base = `https://127.0.0.1:${auditNode.consolePort}`;
    audit = await KafkaTap.open('admin', `${hub.topicPrefix}audit`);
    await (await hub.consentClient('DGA')).call('Grant', grant(SOMSRI, { maxUses: 3 }));
    investigation = (await (await hub.client('RD')).requestRecord({ subject: SOMSRI, recordType: 'dopa.house-registration.address', purpose: 'TAX_INVESTIGATION', clientRequestId: randomUUID() })).exchangeId;
    const fpo = await hub.client('FPO');
    // Enough entries for more than one search page (50 a page).
    for (let i = 0; i < 20; i++) await fpo.requestRecord({ subject: SOMCHAI, recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() });
    exchangeId = (await (await hub.client('FPO')).requestRecord({ subject: SOMSRI, recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() })).exchangeId;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    // The node's certificate is from the test CA, which this browser does not know: its chain is checked by the gRPC tests.
    context = await browser.newContext({ ignoreHTTPSErrors: true, acceptDownloads: true });
    page = await context.newPage();
    await mkdir(SCREENSHOTS, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await audit?.close();
    await auditNode?.stop();
    await hub?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const login = async (p: Page, user: string, password: string, code: string) => {
    await p.goto(`${base}/login?lang=en`);
    await p.getByLabel('User name').fill(user);
    await p.getByLabel('Password').fill(password);
    await p.getByLabel('One-time code (authenticator app)').fill(code);
    await p.getByRole('button', { name: 'Sign in' }).click();
  };
  const wrongCode = (s: string) => String((Number(totpOf({ name: 'x', totpSecret: s }).generate()) + 1) % 1_000_000).padStart(6, '0');

  it('the sign-in page has labelled fields and ordered headings, and Thai and English', async () => {
    await page.goto(`${base}/login?lang=th`);
    expect(await page.locator('h1').textContent()).toBe('เข้าสู่ระบบ');
    await page.screenshot({ path: join(SCREENSHOTS, 'login-th.png'), fullPage: true });
    await page.goto(`${base}/login?lang=en`);
    expect(await page.locator('h1').textContent()).toBe('Sign in');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'login.png'), fullPage: true });
  });

  it('refuses a wrong password and a wrong one-time code', async () => {
    const p = await context.newPage();
    await login(p, 'dpo.somchai', 'not the password at all', totpOf({ name: 'x', totpSecret: secret }).generate());
    await expect.poll(() => p.getByRole('alert').textContent()).toMatch(/Sign-in refused/);
    await login(p, 'dpo.somchai', PASSWORD, wrongCode(secret));
    await expect.poll(() => p.getByRole('alert').textContent()).toMatch(/Sign-in refused/);
    expect(p.url()).toMatch(/\/login/);
    await p.close();
  });

  it('refuses a sign-in POST without the form\'s CSRF token, or with another one', async () => {
    const code = totpOf({ name: 'x', totpSecret: secret }).generate();
    const form = { user: 'dpo.somchai', password: PASSWORD, totp: code };
    expect((await context.request.post(`${base}/login`, { form, maxRedirects: 0 })).status()).toBe(403);
    expect((await context.request.post(`${base}/login`, { form: { ...form, csrf: 'A'.repeat(43) }, maxRedirects: 0 })).status()).toBe(403);
  });

  it('locks an account after 3 failures: the right password and code are refused until the lock lifts', async () => {
    const p = await context.newPage();
    const lockedSecret = (JSON.parse(await readFile(join(dir, 'console-users.json'), 'utf8')) as { users: { name: string; totpSecret: string }[] }).users.find((u) => u.name === 'dpo.locked')!.totpSecret;
    for (let i = 0; i < 3; i++) await login(p, 'dpo.locked', 'wrong password number ' + i, wrongCode(lockedSecret));
    await login(p, 'dpo.locked', PASSWORD, totpOf({ name: 'x', totpSecret: lockedSecret }).generate());
    await expect.poll(() => p.getByRole('alert').textContent()).toMatch(/locked .* until/);
    // A name with no account is locked the same way: the answers do not tell which names exist.
    for (let i = 0; i < 4; i++) await login(p, 'nobody.here', 'wrong password number ' + i, '123456');
    await expect.poll(() => p.getByRole('alert').textContent()).toMatch(/locked .* until/);
    await p.close();
  });

  it("a DPO's path: sign in, search a citizen with the keyboard, open the exchange, download its evidence, which `xhub evidence verify` accepts and refuses with one byte changed", async () => {
    await login(page, 'dpo.somchai', PASSWORD, totpOf({ name: 'x', totpSecret: secret }).generate());
    await page.waitForURL(/\/search/);
    const cookie = (await context.cookies()).find((c) => c.name === '__Host-xhub-session')!;
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' });
    expect(await accessibilityProblems(page)).toEqual([]);

    // Keyboard only: the citizen id field, then Enter submits the form.
    await page.getByLabel(/Citizen id/).focus();
    await page.keyboard.type(SOMSRI);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('agency');
    await page.getByLabel(/Citizen id/).focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('h2');
    expect(await page.locator('h2').textContent()).toBe('Results');
    expect(await page.getByLabel(/Citizen id/).inputValue()).toBe('');
    expect(await page.content()).not.toContain(SOMSRI);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'search-results.png'), fullPage: true });

    // The audit node indexes the log as it comes: search again until the exchange is in.
    await expect
      .poll(async () => {
        if ((await page.getByRole('link', { name: exchangeId.slice(0, 8) }).count()) > 0) return true;
        await page.getByLabel(/Citizen id/).fill(SOMSRI);
        await page.getByRole('button', { name: 'Search', exact: true }).click();
        return false;
      }, { timeout: 15_000, interval: 500 })
      .toBe(true);
    await page.getByRole('link', { name: exchangeId.slice(0, 8) }).first().click();
    await page.waitForURL(/\/exchange\//);
    await expect.poll(async () => {
      await page.reload();
      return page.locator('main').textContent();
    }, { timeout: 15_000 }).toMatch(/Covered by the signed checkpoint of size \d+: inclusion proof checked on the server/);
    const main = await page.locator('main').textContent();
    expect(main).toMatch(/delivered/);
    expect(main).toMatch(/public-task/);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'exchange-detail.png'), fullPage: true });

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download the evidence bundle' }).click()]);
    const file = join(dir, 'evidence.json');
    await download.saveAs(file);
    const ok = await run(process.execPath, ['cli/xhub.ts', 'evidence', 'verify', file, '--policies', hub.demo.policiesDir], { cwd: REPO_ROOT });
    expect(ok.stdout).toMatch(/^OK: exchange /m);
    const text = await readFile(file, 'utf8');
    const at = text.indexOf('"bytes": "') + 30;
    await writeFile(file, `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`);
    const refused = await run(process.execPath, ['cli/xhub.ts', 'evidence', 'verify', file, '--policies', hub.demo.policiesDir], { cwd: REPO_ROOT }).then(
      () => 'accepted',
      (e: { stdout: string }) => e.stdout,
    );
    expect(refused).toMatch(/^FAIL: /m);
  });

  it('pages search results (50 a page), carrying the filters to the next page', async () => {
    await page.goto(`${base}/search?lang=en`);
    await page.getByLabel('Agency (consumer or provider)').selectOption('FPO');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForSelector('h2');
    expect(await page.locator('tbody tr').count()).toBe(50);
    const firstPage = await page.locator('tbody tr td:first-child').allTextContents();
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.waitForSelector('h2');
    const second = await page.locator('tbody tr td:first-child').allTextContents();
    expect(second.length).toBeGreaterThan(0);
    expect(Number(second[0])).toBeGreaterThan(Number(firstPage.at(-1)));
    expect(await page.locator('tbody').textContent()).toMatch(/FPO/);
  });

  it('marks a delivery whose disclosure to the citizen is deferred, with its date and citation', async () => {
    await page.goto(`${base}/exchange/${investigation}?lang=en`);
    expect(await page.locator('.deferred').textContent()).toMatch(/Deferred from the citizen's own log until \d{4}-\d{2}-\d{2} \(Revenue Code/);
  });

  it("the s.30 report of one person: every request for their data, printable without the form", async () => {
    await page.goto(`${base}/report?lang=en`);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByLabel(/Citizen id/).fill(SOMSRI);
    await page.getByRole('button', { name: 'Make the report' }).click();
    await page.waitForSelector('h2');
    expect(await page.locator('h2').first().textContent()).toBe("2 requests for this person's data, 2 delivered");
    const row = await page.locator('tbody tr').filter({ hasText: 'FPO' }).first().textContent();
    expect(row).toMatch(/FPO.*DOPA.*dopa\.civil-registration\.person.*WELFARE_ELIGIBILITY.*public-task.*delivered/);
    // The DPO sees the investigation, marked: it is not for the person's copy before its date.
    expect(await page.locator('tbody tr').filter({ hasText: 'TAX_INVESTIGATION' }).textContent()).toMatch(/Deferred from the citizen's own log until \d{4}-\d{2}-\d{2}/);
    expect(await page.content()).not.toContain(SOMSRI);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('form[action="/report"]').isVisible()).toBe(false);
    await page.screenshot({ path: join(SCREENSHOTS, 's30-report-print.png'), fullPage: true });
    await page.emulateMedia({ media: 'screen' });
    await page.screenshot({ path: join(SCREENSHOTS, 's30-report.png'), fullPage: true });
  });

  it("one person's consents, with state and uses", async () => {
    await page.goto(`${base}/consents?lang=en`);
    expect(await accessibilityProblems(page)).toEqual([]);
    await expect
      .poll(async () => {
        await page.getByLabel(/Citizen id/).fill(SOMSRI);
        await page.getByRole('button', { name: 'Show consents' }).click();
        await page.waitForSelector('h2');
        return page.locator('h2').first().textContent();
      }, { timeout: 10_000 })
      .toBe('1 consents, in every state');
    expect(await page.locator('tbody tr').first().textContent()).toMatch(/MOPH.*rd\.income-tax\.annual-summary.*PUBLIC_HEALTH_SERVICE.*ACTIVE.*0 \/ 3.*DGA/);
    expect(await page.content()).not.toContain(SOMSRI);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'consents.png'), fullPage: true });
  });

  it('the dashboard: transfers per agency pair, denials, consents and purposes as server-drawn SVG, each with its data as a table', async () => {
    await page.goto(`${base}/dashboard?lang=en`);
    expect(await page.locator('svg[role="img"]').count()).toBe(4);
    expect(await page.locator('script').count()).toBe(0);
    const tables = await page.locator('table').allTextContents();
    expect(tables.join('\n')).toMatch(/FPO[\s\S]*DOPA/);
    expect(tables.join('\n')).toMatch(/WELFARE_ELIGIBILITY/);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard.png'), fullPage: true });
  });

  it('log health: the newest checkpoint and the unsigned tail, and a full verification started from the page that passes', async () => {
    await page.goto(`${base}/health?lang=en`);
    expect(await page.locator('main').textContent()).toMatch(/exchange-hub\.local\/\S+\+[0-9a-f]{8}\+/);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByRole('button', { name: 'Verify the whole log now' }).click();
    await expect
      .poll(async () => {
        await page.goto(`${base}/health?lang=en`);
        return page.getByRole('status').textContent();
      }, { timeout: 20_000, interval: 500 })
      .toMatch(/^Passed: (\d+) \/ \1/);
    await page.screenshot({ path: join(SCREENSHOTS, 'log-health.png'), fullPage: true });
    await expect.poll(() => audit.messages.some((m) => m.value!.toString().includes('full verification of the audit log started')), { timeout: 10_000 }).toBe(true);
  });

  it('looking is logged: the search, the detail view and the download, with the pseudonym and never the citizen id', async () => {
    const viewed = () => audit.messages.map((m) => m.value!.toString()).filter((v) => v.includes('"kind":"viewed"'));
    await expect.poll(() => viewed().length, { timeout: 10_000 }).toBeGreaterThanOrEqual(5);
    const entries = viewed().map((v) => JSON.parse(v) as { actor: string; detail: string; subjectRef?: string });
    const delivered = audit.messages.map((m) => JSON.parse(m.value!.toString()) as { kind: string; exchangeId?: string; subjectRef?: string }).find((e) => e.kind === 'delivered' && e.exchangeId === exchangeId)!;
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ actor: 'dpo.somchai@PDPC', detail: 'console:search subject', subjectRef: delivered.subjectRef }),
        expect.objectContaining({ actor: 'dpo.somchai@PDPC', detail: `console:exchange ${exchangeId}`, subjectRef: delivered.subjectRef }),
        expect.objectContaining({ actor: 'dpo.somchai@PDPC', detail: `console:evidence ${exchangeId}` }),
        expect.objectContaining({ actor: 'dpo.somchai@PDPC', detail: 'console:report s30', subjectRef: delivered.subjectRef }),
        expect.objectContaining({ actor: 'dpo.somchai@PDPC', detail: 'console:consents', subjectRef: delivered.subjectRef }),
      ]),
    );
    for (const v of viewed()) expect(v).not.toContain(SOMSRI);
  });

  /** One sign-in from a chosen loopback source address (the browser always comes from 127.0.0.1): the HTTP status. */
  const signInFrom = async (localAddress: string, user: string, password: string, totp: string): Promise<number> => {
    const call = (path: string, init: { method: string; headers?: Record<string, string>; body?: string }) =>
      new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
        const req = httpsRequest(`${base}${path}`, { ...init, localAddress, rejectUnauthorized: false }, (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
        });
        req.on('error', reject);
        req.end(init.body);
      });
    const page = await call('/login?lang=en', { method: 'GET' });
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const form = new URLSearchParams({ csrf, user, password, totp }).toString();
    return (await call('/login', { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: form })).status;
  };

  it('locks out an address that fails 12 times across as many names: then even the right password and code are refused, from that address only', async () => {
    for (let i = 0; i < 11; i++) expect(await signInFrom('127.0.0.2', `guess.${i}`, 'wrong password', '123456')).toBe(401);
    // The 12th failure locks the address (its answer is still a refusal; the lock shows on the next try).
    expect(await signInFrom('127.0.0.2', 'guess.11', 'wrong password', '123456')).toBe(401);
    expect(await signInFrom('127.0.0.2', 'dpo.somchai', PASSWORD, totpOf({ name: 'x', totpSecret: secret }).generate())).toBe(429);
    expect(await signInFrom('127.0.0.3', 'guess.12', 'wrong password', '123456')).toBe(401);
  });
});
