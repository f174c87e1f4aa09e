import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseCookie, stringifySetCookie } from 'cookie';
import { stringify } from 'csv-stringify/sync';
import { assertCitizenId } from '../../lib/citizen-id.ts';
import type { Pseudonymiser } from '../../lib/crypto/pseudonym.ts';
import { isHubError } from '../../lib/errors/hub-error.ts';
import { parseTime } from '../../lib/input.ts';
import type { Logger } from '../../lib/log.ts';
import type { NoteVerifier } from '../../lib/merkle/signed-note.ts';
import type { Policy } from '../../policies/policy.types.ts';
import type { AuditEntry } from '../audit/audit-entry.types.ts';
import type { AuditFilter, AuditIndex } from '../audit/audit-index.ts';
import type { AuditWriter } from '../audit/audit-writer.ts';
import type { ConsoleConfig, NodeTlsConfig } from '../config.ts';
import { isLoopbackListen, listenHost } from '../transport/listen-address.ts';
import { HubError } from '../../lib/errors/hub-error.ts';
import { buildEvidenceFor, EXCHANGE_ID } from '../evidence/build-evidence.ts';
import { exchangeView } from './exchange-view.ts';
import { checkPassword, decoyUser, totpOf, type ConsoleUser } from './console-users.ts';
import { translator, type Lang } from './i18n.ts';
import { addressKey, LoginGuard } from './login-guard.ts';
import { exchangePage } from './pages/exchange.ts';
import { reportPage } from './pages/report.ts';
import { consentsPage } from './pages/consents.ts';
import { dashboardPage } from './pages/dashboard.ts';
import { healthPage } from './pages/health.ts';
import { dashboardData } from './dashboard/dashboard-data.ts';
import { dashboardCharts } from './dashboard/dashboard-charts.ts';
import { logHealth } from './log-health/log-health.ts';
import { VerifyJob } from './log-health/verify-job.ts';
import { nodeKeyLookup } from '../../policies/policy-loader.ts';
import type { ConsentWire } from '../consent/consent-wire.ts';
import { s30Report } from '../audit/s30-report.ts';
import { STYLE_HASH, type PageContext } from './pages/layout.ts';
import { loginPage } from './pages/login.ts';
import { EMPTY_SEARCH, searchPage, type SearchForm } from './pages/search.ts';
import { csrfMatches, Sessions, type Session } from './sessions.ts';

export interface ConsoleDeps {
  config: ConsoleConfig;
  tls: NodeTlsConfig;
  policy: () => Policy;
  index: AuditIndex;
  pseudonyms: Pseudonymiser;
  audit: AuditWriter;
  logVerifier: NoteVerifier;
  /** One person's consents (by pseudonym) from the node's consent view; throws while the view is stale. */
  consentsOf: (subjectRef: string) => ConsentWire[];
  users: Map<string, ConsoleUser>;
  log: Logger;
  now?: () => number;
}

const COOKIE = '__Host-xhub-session';
const DAY_MS = 86_400_000;
/** Entries per search page. */
const PAGE_SIZE = 50;
/** The dashboard counts days in Bangkok time (UTC+7, no summer time). */
const BANGKOK_MS = 7 * 3_600_000;
const HEADERS = {
  'content-security-policy': `default-src 'none'; style-src ${STYLE_HASH}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000',
  'cache-control': 'no-store',
};

class Refused extends Error {}

/**
 * The DPO console: server-rendered pages over HTTPS (the node's certificate),
 * no script. Named people sign in with a password and a TOTP code; every
 * search, detail view and download is itself on the audit log (`viewed`).
 */
export async function startConsole(deps: ConsoleDeps): Promise<{ port: number; close(): Promise<void> }> {
  const now = deps.now ?? Date.now;
  const sessions = new Sessions(deps.config.idleTimeoutMs ?? 15 * 60_000);
  const lockoutMs = deps.config.lockoutMs ?? 15 * 60_000;
  const guard = new LoginGuard(deps.config.maxFailures ?? 5, lockoutMs);
  /** Failures per address, whatever names it tries: one host cannot walk through many names. */
  const addressGuard = new LoginGuard(deps.config.addressMaxFailures ?? 20, lockoutMs);
  /** Hashed against when the name is unknown, so a wrong name costs what a wrong password does. */
  const decoy = decoyUser();
  const verifyJob = new VerifyJob({ index: deps.index, verifier: deps.logVerifier, entryKeys: () => nodeKeyLookup(deps.policy()) });
  /** The last TOTP time step each account used: a code is accepted once. */
  const usedSteps = new Map<string, number>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://console');
    let session = sessions.get(parseCookie(req.headers.cookie ?? '')[COOKIE], now());
    const wanted = url.searchParams.get('lang');
    const lang: Lang = wanted === 'en' || wanted === 'th' ? wanted : (session?.lang ?? 'th');
    if (session) session.lang = lang;
    const send = (status: number, body: string, type = 'text/html; charset=utf-8', extra: Record<string, string> = {}) => {
      res.writeHead(status, { ...HEADERS, 'content-type': type, ...extra }).end(body);
    };
    const startSession = (user?: Session['user']) => {
      session = sessions.create(now(), lang, user);
      res.setHeader('set-cookie', stringifySetCookie({ name: COOKIE, value: session.id, httpOnly: true, secure: true, sameSite: 'strict', path: '/' }));
      return session;
    };
    const ctx = (s: Session): PageContext => ({ lang, t: translator(lang), csrf: s.csrf, path: url.pathname, ...(s.user ? { user: `${s.user.name} (${s.user.agency})` } : {}) });
    const redirect = (to: string) => {
      res.writeHead(303, { ...HEADERS, location: to }).end();
    };
    const form = async () => {
      const body = await readBody(req);
      const params = new URLSearchParams(body);
      if (!csrfMatches(session, params.get('csrf'))) throw new Refused();
      return params;
    };
    const viewed = (user: NonNullable<Session['user']>, detail: string, subjectRef?: string) => deps.audit.append({ kind: 'viewed', actor: `${user.name}@${user.agency}`, detail, ...(subjectRef ? { subjectRef } : {}) });

    if (url.pathname === '/login') {
      if (req.method === 'GET') return send(200, loginPage(ctx(session?.user ? session : startSession())));
      if (req.method !== 'POST') return send(405, '');
      let params: URLSearchParams;
      try {
        params = await form();
      } catch {
        return send(403, loginPage(ctx(startSession()), translator(lang)('login.csrf')));
      }
      const name = (params.get('user') ?? '').slice(0, 64);
      const user = deps.users.get(name);
      // Unknown names are counted, locked and hashed like known ones: neither the answer nor its timing says whether an account exists.
      const from = addressKey(req.socket.remoteAddress);
      const locked = Math.max(guard.lockedUntil(name, now()) ?? 0, addressGuard.lockedUntil(from, now()) ?? 0);
      if (locked) return send(429, loginPage(ctx(session!), translator(lang)('login.locked', { until: new Date(locked).toISOString() })));
      const passwordOk = checkPassword(user ?? decoy, params.get('password') ?? '');
      const step = user ? totpStep(user, params.get('totp') ?? '', now()) : undefined;
      const ok = user !== undefined && passwordOk && step !== undefined && step > (usedSteps.get(name) ?? -1);
      if (!ok) {
        const accountLocks = guard.failed(name, now());
        const locks = addressGuard.failed(from, now()) || accountLocks;
        // A typed user name may be anything, a citizen id included: only a known account is named.
        await deps.audit.append({ kind: 'access-denied', actor: user ? `console:${name}@${user.agency}` : 'console:unknown account', decision: 'deny', reason: locks ? 'ERR_CONSOLE_LOCKED' : 'ERR_CONSOLE_LOGIN_FAILED', detail: 'console login' }).catch(() => {});
        return send(401, loginPage(ctx(session!), translator(lang)('login.failed')));
      }
      // The address's count is not reset: one valid account must not open a way to guess others.
      guard.succeeded(name);
      usedSteps.set(name, step);
      sessions.end(session!.id);
      startSession({ name, agency: user.agency });
      return redirect('/search');
    }

    if (!session?.user) return redirect('/login');
    const user = session.user;
    const c = ctx(session);
    if (url.pathname === '/logout' && req.method === 'POST') {
      await form();
      sessions.end(session.id);
      return redirect('/login');
    }
    if (url.pathname === '/' || (url.pathname === '/search' && req.method === 'GET')) {
      if (url.pathname === '/') return redirect('/search');
      return send(200, searchPage(c, deps.policy(), EMPTY_SEARCH));
    }
    if (url.pathname === '/search' && req.method === 'POST') {
      const params = await form();
      const fields = Object.fromEntries(Object.keys(EMPTY_SEARCH).map((k) => [k, params.get(k) ?? ''])) as unknown as SearchForm;
      let filter: AuditFilter;
      try {
        const subject = params.get('subject') ?? '';
        if (subject) assertCitizenId(subject);
        // A next page carries the person as the pseudonym the first page made, never the id.
        const carried = params.get('subjectRef') ?? '';
        if (carried && !/^[A-Za-z0-9_-]{43}$/.test(carried)) throw new HubError('ERR_INVALID_ARGUMENT', 'subjectRef is not a pseudonym');
        const subjectRef = subject ? deps.pseudonyms.of(subject) : carried;
        filter = { ...fields, ...(subjectRef ? { subjectRef } : {}), from: fields.from ? parseTime(fields.from, 'from') : undefined, to: fields.to ? parseTime(fields.to, 'to') : undefined };
      } catch (error) {
        return send(400, searchPage(c, deps.policy(), fields, undefined, translator(lang)('error.invalid', { message: isHubError(error) ? error.message : 'bad input' })));
      }
      const described = Object.entries(fields).filter(([, v]) => v).map(([k, v]) => `${k}=${v}`).join(' ');
      await viewed(user, `console:search${filter.subjectRef ? ' subject' : ''}${described ? ` ${described}` : ''}${params.get('format') === 'csv' ? ' csv' : ''}`, filter.subjectRef);
      const csv = params.get('format') === 'csv';
      const after = Number(params.get('after') ?? -1);
      const pageSize = csv ? 10_000 : PAGE_SIZE;
      const rows = deps.index.query(filter, Number.isSafeInteger(after) ? after : -1, pageSize + 1).map((r) => ({ index: r.index, entry: JSON.parse(r.raw.toString('utf8')) as AuditEntry }));
      const results = rows.slice(0, pageSize);
      const next = rows.length > pageSize ? { after: results.at(-1)!.index, ...(filter.subjectRef ? { subjectRef: filter.subjectRef } : {}) } : undefined;
      if (csv) {
        const rows = results.map(({ index, entry: e }) => ({ index, time: new Date(e.at).toISOString(), kind: e.kind, exchangeId: e.exchangeId ?? '', consumer: e.consumer ?? '', provider: e.provider ?? '', recordType: e.recordType ?? '', purpose: e.purpose ?? '', lawfulBasis: e.lawfulBasis ?? '', decision: e.decision ?? '', reason: e.reason ?? '' }));
        return send(200, stringify(rows, { header: true, columns: ['index', 'time', 'kind', 'exchangeId', 'consumer', 'provider', 'recordType', 'purpose', 'lawfulBasis', 'decision', 'reason'] }), 'text/csv; charset=utf-8', { 'content-disposition': 'attachment; filename="audit-search.csv"' });
      }
      return send(200, searchPage(c, deps.policy(), fields, results, undefined, next));
    }
    if (url.pathname === '/dashboard' && req.method === 'GET') {
      const day = (text: string | null, fallback: number) => (text && /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00+07:00`) : fallback);
      const today = Date.parse(`${new Date(now() + BANGKOK_MS).toISOString().slice(0, 10)}T00:00:00+07:00`);
      const to = day(url.searchParams.get('to'), today + DAY_MS);
      const from = day(url.searchParams.get('from'), to - 30 * DAY_MS);
      const range = { from: new Date(from + BANGKOK_MS).toISOString().slice(0, 10), to: new Date(to + BANGKOK_MS).toISOString().slice(0, 10) };
      try {
        const data = dashboardData(deps.index, { from, to, timeZone: 'Asia/Bangkok' });
        const charts = await dashboardCharts(data, { lang });
        return send(200, dashboardPage(c, range, Object.values(charts)));
      } catch (error) {
        if (!isHubError(error)) throw error;
        return send(400, dashboardPage(c, range, [], translator(lang)('error.invalid', { message: error.message })));
      }
    }
    if (url.pathname === '/health' && req.method === 'GET') return send(200, healthPage(c, logHealth(deps.index, { verifier: deps.logVerifier, now: now() }), verifyJob.status()));
    if (url.pathname === '/health/verify' && req.method === 'POST') {
      await form();
      const { started } = verifyJob.start();
      if (started) await deps.audit.append({ kind: 'admin', actor: `${user.name}@${user.agency}`, detail: 'console: full verification of the audit log started' });
      return redirect('/health');
    }
    if (url.pathname === '/consents' && req.method === 'GET') return send(200, consentsPage(c));
    if (url.pathname === '/consents' && req.method === 'POST') {
      const subject = (await form()).get('subject') ?? '';
      try {
        assertCitizenId(subject);
      } catch (error) {
        return send(400, consentsPage(c, undefined, translator(lang)('error.invalid', { message: isHubError(error) ? error.message : 'bad input' })));
      }
      const subjectRef = deps.pseudonyms.of(subject);
      await viewed(user, 'console:consents', subjectRef);
      return send(200, consentsPage(c, deps.consentsOf(subjectRef)));
    }
    if (url.pathname === '/report' && req.method === 'GET') return send(200, reportPage(c));
    if (url.pathname === '/report' && req.method === 'POST') {
      const params = await form();
      const subject = params.get('subject') ?? '';
      try {
        assertCitizenId(subject);
      } catch (error) {
        return send(400, reportPage(c, undefined, translator(lang)('error.invalid', { message: isHubError(error) ? error.message : 'bad input' })));
      }
      const subjectRef = deps.pseudonyms.of(subject);
      await viewed(user, 'console:report s30', subjectRef);
      const entries = deps.index.query({ subjectRef }, -1, 50_000).map((r) => JSON.parse(r.raw.toString('utf8')) as AuditEntry);
      return send(200, reportPage(c, { ...s30Report(entries), generatedAt: new Date(now()).toISOString() }));
    }
    const match = /^\/exchange\/([^/]+)(\/evidence)?$/.exec(url.pathname);
    if (match && req.method === 'GET' && EXCHANGE_ID.test(match[1]!)) {
      const exchangeId = match[1]!;
      const view = exchangeView(deps.index, exchangeId);
      if (view.entries.length === 0) return send(404, searchPage(c, deps.policy(), EMPTY_SEARCH, [], translator(lang)('error.invalid', { message: exchangeId })));
      const subjectRef = view.entries.find((e) => e.entry.subjectRef)?.entry.subjectRef;
      if (match[2]) {
        const bundle = buildEvidenceFor(deps.index, deps.policy(), exchangeId, deps.logVerifier);
        await viewed(user, `console:evidence ${exchangeId}`, subjectRef);
        return send(200, JSON.stringify(bundle, null, 2), 'application/json', { 'content-disposition': `attachment; filename="evidence-${exchangeId}.json"` });
      }
      await viewed(user, `console:exchange ${exchangeId}`, subjectRef);
      return send(200, exchangePage(c, view));
    }
    return send(404, searchPage(c, deps.policy(), EMPTY_SEARCH, undefined, translator(lang)('error.invalid', { message: url.pathname })));
  };

  const tls = { cert: readFileSync(deps.tls.certFile), key: readFileSync(deps.tls.keyFile) };
  const server: Server = createServer({ ...tls, minVersion: 'TLSv1.2' }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof Refused) {
        if (!res.headersSent) res.writeHead(403, { ...HEADERS, 'content-type': 'text/plain; charset=utf-8' }).end('refused: the form did not carry this session\'s token (CSRF)');
        return;
      }
      deps.log.error({ err: error }, 'console request failed');
      if (!res.headersSent) res.writeHead(isHubError(error) && error.code === 'ERR_AUDIT_UNAVAILABLE' ? 503 : 500, { ...HEADERS, 'content-type': 'text/plain; charset=utf-8' }).end(isHubError(error) ? `${error.code}: ${error.message}` : 'internal error');
    });
  });
  if (!deps.config.allowRemote && !isLoopbackListen(deps.config.listen)) {
    throw new HubError('ERR_CONFIG_INVALID', `console.listen ${deps.config.listen} is not a loopback address: the console shows who received whose data; set console.allowRemote only behind the operator's own network controls`);
  }
  const host = listenHost(deps.config.listen);
  const port = Number(/:(\d+)$/.exec(deps.config.listen)?.[1] ?? 'NaN');
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      // The full verify reads the index: it stops before the node closes the index.
      await verifyJob.stop();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

/** The TOTP time step the code belongs to (one step of drift either way), or undefined. */
function totpStep(user: ConsoleUser, code: string, now: number): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const delta = totpOf(user).validate({ token: code, timestamp: now, window: 1 });
  return delta === null ? undefined : Math.floor(now / 30_000) + delta;
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > 16_384) throw new Refused();
  }
  return body;
}
