/**
 * Fault runs under load (`npm run chaos`): Kafka on local jars, a node and two
 * connectors in their own processes, callers retrying failed calls with the
 * same client request id. Along the way: kill -9 a connector (then restart
 * it), restart the Kafka broker, kill -9 the node (then restart it). Then it
 * checks that every call ended with its record or a clear error, that every
 * delivered record has its audit entry, that `verify` passes over the whole
 * audit log, and that no client request id was delivered twice.
 * Usage: node bench/chaos.ts [--seconds 36]
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ServiceError } from '@grpc/grpc-js';
import { readAuditLog } from '../broker/audit/audit-source.ts';
import type { AuditEntry } from '../broker/audit/audit-entry.types.ts';
import { verifyLog } from '../broker/audit/verify-log.ts';
import { auditOriginOf, hubVerifier } from '../cli/commands/audit/verify.ts';
import { connectorKafkaSettings, nodeKafkaSettings, provisionDemoHub } from '../cli/demo-hub.ts';
import { DEMO_DATA, demoPrincipals, materialiseDemo } from '../cli/demo-setup.ts';
import { KAFKA_AUDIT_READER } from '../lib/kafka/principals.ts';
import { loadPolicy, nodeKeyLookup } from '../policies/policy-loader.ts';
import { demoClientTransport, demoNodeTls } from '../cli/demo-tls.ts';
import { loadSigningKeyFile } from '../lib/crypto/keys.ts';
import { ExchangeClient } from '../lib/exchange-client.ts';
import { createKafka } from '../lib/kafka/client.ts';
import { freePort, startLocalBroker } from '../lib/kafka/local-broker.ts';
import { createLogger } from '../lib/log.ts';
import { startChild, type Child } from './load/processes.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '36' }, concurrency: { type: 'string', default: '16' } } });
const runMs = Number(values.seconds) * 1000;
const say = (line: string) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1)} s] ${line}\n`);
let t0 = performance.now();

const kafka = await startLocalBroker({ principals: demoPrincipals(), onProgress: (l) => process.stderr.write(`${l}\n`) });
const state = await mkdtemp(join(tmpdir(), 'xhub-chaos-'));
const demo = await materialiseDemo(state);
const prefix = `chaos${Date.now()}.`;
await provisionDemoHub(kafka, demo, prefix, createLogger('chaos', 'warn'));
const port = await freePort();
const common = { policiesDir: demo.policiesDir, topicPrefix: prefix };
const write = async (name: string, body: object) => {
  const file = join(state, `${name}.json`);
  await writeFile(file, JSON.stringify(body));
  return file;
};
const nodeConfig = await write('node', {
  ...common,
  ...nodeKafkaSettings(kafka, 'node-1'),
  nodeId: 'node-1',
  listen: `127.0.0.1:${port}`,
  hubKeyFile: demo.hubKeyFile,
  nodeKeyFile: demo.nodeKeyFile('node-1'),
  pseudonymKeyFile: demo.pseudonymKeyFile,
  tls: demoNodeTls(demo.tls),
  adminListen: '127.0.0.1:0',
});
const startNodeProcess = () => startChild(['cli/xhub.ts', 'node', '--config', nodeConfig], 'exchange node serving', { XHUB_LOG_LEVEL: 'info' }, 120_000);
const startConnectorProcess = async (agency: string) =>
  startChild(
    ['cli/xhub.ts', 'connector', '--config', await write(agency, { ...common, ...connectorKafkaSettings(kafka, agency), agencyId: agency, privateKeyFile: demo.agencyKeyFile(agency), backend: { type: 'memory', dir: join(DEMO_DATA, agency) }, adminListen: '127.0.0.1:0' })],
    'connector consuming',
    { XHUB_LOG_LEVEL: 'info' },
    120_000,
  );
let node: Child = await startNodeProcess();
const connectors: Record<string, Child> = { DOPA: await startConnectorProcess('DOPA'), FPO: await startConnectorProcess('FPO') };

const clients = {
  FPO: new ExchangeClient(`127.0.0.1:${port}`, 'FPO', await loadSigningKeyFile(demo.agencyKeyFile('FPO')), 'node-1', await demoClientTransport(demo.tls, 'FPO')),
  BMA: new ExchangeClient(`127.0.0.1:${port}`, 'BMA', await loadSigningKeyFile(demo.agencyKeyFile('BMA')), 'node-1', await demoClientTransport(demo.tls, 'BMA')),
};
type Outcome = { id: string; consumer: 'FPO' | 'BMA'; exchangeId?: string; error?: string; attempts: number };
const outcomes: Outcome[] = [];
const call = async (i: number): Promise<void> => {
  const consumer = i % 2 === 0 ? 'FPO' : 'BMA';
  const request =
    consumer === 'FPO'
      ? { subject: '1101700203450', recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY' }
      : { subject: '3100500123458', recordType: 'fpo.welfare-card.status', purpose: 'LOCAL_SERVICE_REGISTRATION' };
  const outcome: Outcome = { id: randomUUID(), consumer, attempts: 0 };
  outcomes.push(outcome);
  // A careful client: retry a failed call with the same client request id.
  for (let attempt = 1; attempt <= 4; attempt++) {
    outcome.attempts = attempt;
    try {
      const response = await clients[consumer].requestRecord({ ...request, clientRequestId: outcome.id }, { timeoutMs: 3_000 });
      outcome.exchangeId = response.exchangeId;
      delete outcome.error;
      return;
    } catch (error) {
      const e = error as ServiceError;
      outcome.error = String(e.metadata?.get('xhub-error-code')[0] ?? `grpc status ${e.code}`);
      await new Promise((r) => setTimeout(r, 700));
    }
  }
};

t0 = performance.now();
const faults = (async () => {
  const at = (s: number) => new Promise((r) => setTimeout(r, Math.max(0, t0 + s * 1000 - performance.now())));
  await at(runMs / 1000 / 7);
  say('kill -9 the DOPA connector');
  connectors.DOPA!.process.kill('SIGKILL');
  await at((runMs / 1000) * (2 / 7));
  say('restart the DOPA connector');
  connectors.DOPA = await startConnectorProcess('DOPA');
  await at((runMs / 1000) * (3 / 7));
  say('restart the Kafka broker (kill -9, start on the same data)');
  await kafka.restart();
  say('Kafka broker back');
  await at((runMs / 1000) * (5 / 7));
  say('kill -9 the node');
  node.process.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 2_000));
  say('restart the node');
  node = await startNodeProcess();
  say('node back');
})();
let next = 0;
const concurrency = Number(values.concurrency);
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (performance.now() - t0 < runMs) await call(next++);
  }),
);
await faults;
say(`load stopped after ${outcomes.length} requests; letting the audit log settle`);
await new Promise((r) => setTimeout(r, 5_000));

// Checks.
const log = await readAuditLog(createKafka(kafka.connection(KAFKA_AUDIT_READER), 'chaos-check', createLogger('chaos', 'error')), prefix);
const entries = log.entries.map((e) => {
  try {
    return JSON.parse(e.toString()) as AuditEntry;
  } catch {
    return undefined;
  }
});
const deliveredExchanges = new Set(entries.filter((e) => e?.kind === 'delivered').map((e) => e!.exchangeId));
const requestOf = new Map(entries.filter((e) => e?.kind === 'request-received').map((e) => [e!.exchangeId, e!.requestRef]));
const deliveriesPerRequest = new Map<string, number>();
for (const exchangeId of deliveredExchanges) {
  const ref = requestOf.get(exchangeId) ?? `unknown:${exchangeId}`;
  deliveriesPerRequest.set(ref, (deliveriesPerRequest.get(ref) ?? 0) + 1);
}
const origin = await auditOriginOf(demo.policiesDir);
const verify = verifyLog(log.entries, log.checkpoints, await hubVerifier(demo.policiesDir, origin), origin, nodeKeyLookup(await loadPolicy(demo.policiesDir)));
const delivered = outcomes.filter((o) => o.exchangeId);
const clearErrors = outcomes.filter((o) => !o.exchangeId && o.error && !/grpc status (2|13)$/.test(o.error));
const unclear = outcomes.filter((o) => !o.exchangeId && !clearErrors.includes(o));
const missingAudit = delivered.filter((o) => !deliveredExchanges.has(o.exchangeId));
const twice = [...deliveriesPerRequest.values()].filter((n) => n > 1).length;
const errorsByCode: Record<string, number> = {};
for (const o of clearErrors) errorsByCode[o.error!] = (errorsByCode[o.error!] ?? 0) + 1;

const rows = [
  ['requests (client request ids)', String(outcomes.length), ''],
  ['  delivered, signature-checked by the node', String(delivered.length), ''],
  ['  ended with a clear error', String(clearErrors.length), JSON.stringify(errorsByCode)],
  ['  ended unclear (INTERNAL/UNKNOWN) or hung', String(unclear.length), unclear.length === 0 ? 'PASS' : 'FAIL'],
  ['delivered records without their audit entry', String(missingAudit.length), missingAudit.length === 0 ? 'PASS' : 'FAIL'],
  ['xhub audit verify over the whole log', `${verify.entries} entries, ${verify.checkpoints} checkpoints`, !verify.ok ? `FAIL: ${verify.failure?.reason}` : verify.unverifiedTail > 0 ? `FAIL: the last ${verify.unverifiedTail} entries are under no signed checkpoint` : 'PASS'],
  ['client request ids delivered more than once', String(twice), twice === 0 ? 'PASS' : 'FAIL'],
];
console.log('\nchaos run summary');
console.table(rows.map(([check, value, verdict]) => ({ check, value, verdict })));

for (const c of Object.values(clients)) c.close();
await Promise.all([node.stop(), ...Object.values(connectors).map((c) => c.stop())]);
await kafka.stop();
await rm(state, { recursive: true, force: true });
process.exitCode = rows.some((r) => r[2]!.startsWith('FAIL')) ? 1 : 0;
