/**
 * Fault runs under load (`npm run chaos`), on the shape production has: a
 * 3-broker KRaft cluster from the Apache Kafka jars (replication 3, min in-sync
 * 2), three exchange nodes and two connectors in processes of their own, and
 * callers behind a "load balancer": each call goes to one node and each retry,
 * with the same client request id, to the next. Along the way it kills with
 * -9, each time while requests flow: a connector (then restarts it), a broker
 * that leads partitions, the active controller, a node, and the node that
 * signs audit checkpoints (another must take over); each comes back.
 *
 * The checks count from the provider backends (an HTTP backend in this
 * process counts every fetch per person, and every call is about a person of
 * its own, so per client request id) and from the audit log, not only from the
 * callers. Usage: node bench/chaos.ts [--seconds 120] [--concurrency 12]
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ServiceError } from '@grpc/grpc-js';
import kafkajs from 'kafkajs';
import { readAuditLog } from '../broker/audit/audit-source.ts';
import type { AuditEntry } from '../broker/audit/audit-entry.types.ts';
import { verifyLog } from '../broker/audit/verify-log.ts';
import { auditOriginOf, hubVerifier } from '../cli/commands/audit/verify.ts';
import { connectorKafkaSettings, nodeKafkaSettings, provisionDemoHub } from '../cli/demo-hub.ts';
import { demoPrincipals, materialiseDemo } from '../cli/demo-setup.ts';
import { demoClientTransport, demoNodeTls } from '../cli/demo-tls.ts';
import { withCheckDigit } from '../lib/citizen-id.ts';
import { loadSigningKeyFile } from '../lib/crypto/keys.ts';
import { ExchangeClient } from '../lib/exchange-client.ts';
import { createKafka } from '../lib/kafka/client.ts';
import { freePort } from '../lib/kafka/local-broker.ts';
import { startLocalCluster } from '../lib/kafka/local-cluster.ts';
import { KAFKA_ADMIN, KAFKA_AUDIT_READER } from '../lib/kafka/principals.ts';
import { groupNames } from '../lib/kafka/provision.ts';
import { createLogger } from '../lib/log.ts';
import { loadPolicy, nodeKeyLookup } from '../policies/policy-loader.ts';
import { countingRecordServer } from './load/counting-record-server.ts';
import { startChild, type Child } from './load/processes.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '120' }, concurrency: { type: 'string', default: '12' } } });
const runMs = Number(values.seconds) * 1000;
const concurrency = Number(values.concurrency);
if (!(runMs >= 60_000) || !(concurrency >= 1)) throw new Error('--seconds must be at least 60 (five faults and their recoveries) and --concurrency at least 1');
let t0 = performance.now();
const say = (line: string) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1)} s] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CLUSTER = 'exchange-hub.chaos';
/** Each caller's deadline per call: longer than a broker failover (5-22 s measured). */
const DEADLINE_MS = 25_000;

const cluster = await startLocalCluster({ brokers: 3, principals: demoPrincipals(), onProgress: (l) => process.stderr.write(`${l}\n`) });
const state = await mkdtemp(join(tmpdir(), 'xhub-chaos-'));
const demo = await materialiseDemo(state);
const prefix = `chaos${Date.now()}.`;
await provisionDemoHub(cluster, demo, prefix, createLogger('chaos', 'warn'), { partitions: 3, replicationFactor: 3 });
const records = await countingRecordServer();
const write = async (name: string, body: object) => {
  const file = join(state, `${name}.json`);
  await writeFile(file, JSON.stringify(body));
  return file;
};

// Three nodes: node-1 and node-2 are audit sequencers (one signs, one stands by), node-3 only serves.
const nodeIds = ['node-1', 'node-2', 'node-3'] as const;
const ports = new Map<string, number>();
for (const id of nodeIds) ports.set(id, await freePort());
const startNode = async (nodeId: string): Promise<Child> =>
  startChild(
    [
      'cli/xhub.ts',
      'node',
      '--config',
      await write(nodeId, {
        policiesDir: demo.policiesDir,
        topicPrefix: prefix,
        ...nodeKafkaSettings(cluster, nodeId),
        replicationFactor: 3,
        nodeId,
        listen: `127.0.0.1:${ports.get(nodeId)}`,
        clusterAudience: CLUSTER,
        hubKeyFile: demo.hubKeyFile,
        nodeKeyFile: demo.nodeKeyFile(nodeId),
        pseudonymKeyFile: demo.pseudonymKeyFile,
        tls: demoNodeTls(demo.tls),
        adminListen: '127.0.0.1:0',
        auditSequencer: nodeId !== 'node-3',
        auditQueries: nodeId === 'node-1',
        auditIndexFile: join(state, `${nodeId}-audit-index.sqlite`),
      }),
    ],
    'exchange node serving',
    { XHUB_LOG_LEVEL: 'info' },
    120_000,
  );
const startConnector = async (agency: string): Promise<Child> =>
  startChild(
    [
      'cli/xhub.ts',
      'connector',
      '--config',
      await write(agency, {
        policiesDir: demo.policiesDir,
        topicPrefix: prefix,
        ...connectorKafkaSettings(cluster, agency),
        agencyId: agency,
        privateKeyFile: demo.agencyKeyFile(agency),
        backend: { type: 'http', urlTemplate: `${records.url}/{recordType}/{subject}`, timeoutMs: 5_000 },
        adminListen: '127.0.0.1:0',
      }),
    ],
    'connector consuming',
    { XHUB_LOG_LEVEL: 'info' },
    120_000,
  );
const nodes = new Map<string, Child>();
for (const id of nodeIds) nodes.set(id, await startNode(id));
const connectors = new Map<string, Child>();
for (const agency of ['DOPA', 'FPO']) connectors.set(agency, await startConnector(agency));

// Callers: FPO asks DOPA for a person's civil record, BMA asks FPO for a welfare card; every call about a person of its own.
const consumers = ['FPO', 'BMA'] as const;
const clients = new Map<string, ExchangeClient[]>();
for (const agency of consumers) {
  const key = await loadSigningKeyFile(demo.agencyKeyFile(agency));
  const transport = await demoClientTransport(demo.tls, agency);
  clients.set(agency, nodeIds.map((id) => new ExchangeClient(`127.0.0.1:${ports.get(id)}`, agency, key, CLUSTER, transport)));
}
const REQUESTS = {
  FPO: { recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY' },
  BMA: { recordType: 'fpo.welfare-card.status', purpose: 'LOCAL_SERVICE_REGISTRATION' },
};
let people = 0;
const newSubject = () => withCheckDigit(`5${String(100_000_000_000 + people++).slice(1)}`);

/** Errors worth a retry with the same client request id: the node or Kafka was unreachable, or the first attempt is still running. */
const RETRYABLE = /^(grpc status (4|14)|ERR_KAFKA_UNAVAILABLE|ERR_IDEMPOTENCY_IN_PROGRESS|ERR_AUDIT_UNAVAILABLE|ERR_CONSENT_VIEW_STALE|ERR_DEADLINE_EXCEEDED|ERR_OVERLOADED)$/;
type Outcome = { id: string; subject: string; exchangeId?: string; errors: string[]; nodes: string[] };
const outcomes: Outcome[] = [];
const call = async (i: number): Promise<void> => {
  const consumer = consumers[i % 2]!;
  const outcome: Outcome = { id: randomUUID(), subject: newSubject(), errors: [], nodes: [] };
  outcomes.push(outcome);
  for (let attempt = 0; attempt < 10; attempt++) {
    const n = (i + attempt) % nodeIds.length;
    outcome.nodes.push(nodeIds[n]!);
    try {
      const response = await clients.get(consumer)![n]!.requestRecord({ ...REQUESTS[consumer], subject: outcome.subject, clientRequestId: outcome.id }, { timeoutMs: DEADLINE_MS });
      outcome.exchangeId = response.exchangeId;
      return;
    } catch (error) {
      const e = error as ServiceError;
      const code = String(e.metadata?.get('xhub-error-code')[0] ?? `grpc status ${e.code}`);
      outcome.errors.push(code);
      if (!RETRYABLE.test(code)) return;
      await sleep(300 * Math.min(attempt + 1, 5));
    }
  }
};

/** The node whose sequencer holds the audit topic's partition, from the sequencer group's assignment. */
const admin = createKafka(cluster.connection(KAFKA_ADMIN), 'chaos-admin', createLogger('chaos', 'error')).admin();
await admin.connect();
const sequencerNode = async (): Promise<string | undefined> => {
  const { groups } = await admin.describeGroups([groupNames(prefix).sequencer()]);
  const holder = groups[0]?.members.find((m) => Object.values(kafkajs.AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment ?? {}).some((p) => p.includes(0)));
  return holder?.clientId.replace(/^xhub-sequencer-/, '');
};
const newestCheckpoint = async () => {
  const log = await readAuditLog(createKafka(cluster.connection(KAFKA_AUDIT_READER), 'chaos-watch', createLogger('chaos', 'error')), prefix);
  const last = log.checkpoints.at(-1);
  return { entries: log.entries.length, signed: last ? ((m: { from: number; leaves: unknown[] }) => m.from + m.leaves.length)(JSON.parse(last.toString()) as { from: number; leaves: unknown[] }) : 0 };
};

const faults: { what: string; at: number; back?: number }[] = [];
let takeover = 'not checked';
t0 = performance.now();
const faultRun = (async () => {
  const at = (fraction: number) => sleep(Math.max(0, t0 + fraction * runMs - performance.now()));
  const fault = (what: string) => {
    say(what);
    const f: (typeof faults)[number] = { what, at: Date.now() };
    faults.push(f);
    return () => {
      f.back = Date.now();
      say(`${what}: back`);
    };
  };
  await at(0.08);
  let back = fault('kill -9 the DOPA connector');
  connectors.get('DOPA')!.process.kill('SIGKILL');
  await sleep(3_000);
  connectors.set('DOPA', await startConnector('DOPA'));
  back();

  await at(0.2);
  const controller = cluster.nodes[await cluster.controllerIndex()]!.nodeId;
  const broker = cluster.nodes.find((n) => n.nodeId !== controller)!.nodeId;
  back = fault(`kill -9 Kafka broker ${broker}`);
  await cluster.kill(cluster.indexOf(broker));
  await sleep(8_000);
  await cluster.start(cluster.indexOf(broker));
  await cluster.waitUntilInSync();
  back();

  await at(0.38);
  const active = cluster.nodes[await cluster.controllerIndex()]!.nodeId;
  back = fault(`kill -9 Kafka broker ${active}, the active controller`);
  await cluster.kill(cluster.indexOf(active));
  await sleep(8_000);
  await cluster.start(cluster.indexOf(active));
  await cluster.waitUntilInSync();
  back();

  await at(0.55);
  back = fault('kill -9 exchange node node-3');
  nodes.get('node-3')!.process.kill('SIGKILL');
  await sleep(3_000);
  nodes.set('node-3', await startNode('node-3'));
  back();

  await at(0.7);
  const holder = (await sequencerNode()) ?? 'node-1';
  back = fault(`kill -9 exchange node ${holder}, the one signing audit checkpoints`);
  nodes.get(holder)!.process.kill('SIGKILL');
  // Entries written while it is down can only be signed by a sequencer that took over.
  await sleep(5_000);
  const written = (await newestCheckpoint()).entries;
  const deadline = Date.now() + 60_000;
  let now = await newestCheckpoint();
  while (now.signed < written && Date.now() < deadline) {
    await sleep(500);
    now = await newestCheckpoint();
  }
  const successor = await sequencerNode();
  takeover = now.signed >= written ? `${successor ?? 'another node'} signed up to ${now.signed} (${written} entries written while ${holder} was down)` : `FAIL: no checkpoint covered the ${written} entries written while ${holder} was down, within 60 s`;
  nodes.set(holder, await startNode(holder));
  back();
})();
let next = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (performance.now() - t0 < runMs) await call(next++);
  }),
);
await faultRun;
say(`load stopped after ${outcomes.length} requests; waiting for a signed checkpoint to cover the whole audit log`);
for (let settled = Date.now() + 60_000; Date.now() < settled; await sleep(1_000)) {
  const now = await newestCheckpoint();
  if (now.signed === now.entries) break;
}

// Checks, from the provider backends and the audit log.
const log = await readAuditLog(createKafka(cluster.connection(KAFKA_AUDIT_READER), 'chaos-check', createLogger('chaos', 'error')), prefix);
const entries = log.entries.map((e) => {
  try {
    return JSON.parse(e.toString()) as AuditEntry;
  } catch {
    return undefined;
  }
});
const deliveredEntries = entries.filter((e) => e?.kind === 'delivered');
const deliveredExchanges = new Set(deliveredEntries.map((e) => e!.exchangeId));
const requestOf = new Map(entries.filter((e) => e?.kind === 'request-received').map((e) => [e!.exchangeId, e!.requestRef]));
const deliveriesPerRequest = new Map<string, number>();
for (const e of deliveredEntries) {
  const ref = requestOf.get(e!.exchangeId) ?? `unknown:${e!.exchangeId}`;
  deliveriesPerRequest.set(ref, (deliveriesPerRequest.get(ref) ?? 0) + 1);
}
const origin = await auditOriginOf(demo.policiesDir);
const verify = verifyLog(log.entries, log.checkpoints, await hubVerifier(demo.policiesDir, origin), origin, nodeKeyLookup(await loadPolicy(demo.policiesDir)));
const delivered = outcomes.filter((o) => o.exchangeId);
const unknown = outcomes.filter((o) => !o.exchangeId && o.errors.at(-1) === 'ERR_OUTCOME_UNKNOWN');
const clearErrors = outcomes.filter((o) => !o.exchangeId && !unknown.includes(o) && !RETRYABLE.test(o.errors.at(-1) ?? '') && !/^grpc status (2|13)$/.test(o.errors.at(-1) ?? ''));
const unclear = outcomes.filter((o) => !o.exchangeId && !unknown.includes(o) && !clearErrors.includes(o));
const missingAudit = delivered.filter((o) => !deliveredExchanges.has(o.exchangeId));
const doubleFetched = outcomes.filter((o) => (records.fetches.get(o.subject) ?? 0) > 1);
const twice = [...deliveriesPerRequest.values()].filter((n) => n > 1).length;
const errorsByCode: Record<string, number> = {};
for (const o of [...clearErrors, ...unclear]) errorsByCode[o.errors.at(-1)!] = (errorsByCode[o.errors.at(-1)!] ?? 0) + 1;
const retried = outcomes.filter((o) => new Set(o.nodes).size > 1).length;

const pass = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
const rows = [
  ['faults (kill -9, each while requests flowed)', faults.map((f) => `${f.what} (${f.back ? `${((f.back - f.at) / 1000).toFixed(1)} s down` : 'not back'})`).join('; '), pass(faults.length === 5 && faults.every((f) => f.back))],
  ['requests (client request ids) over 3 nodes', String(outcomes.length), ''],
  ['  retried on another node, same client request id', String(retried), ''],
  ['  delivered, signature-checked by the node', String(delivered.length), ''],
  ['  ended ERR_OUTCOME_UNKNOWN (in flight on a killed node; final, never fetched again)', String(unknown.length), ''],
  ['  ended with another clear error', String(clearErrors.length), JSON.stringify(errorsByCode)],
  ['  ended with no clear final answer (INTERNAL/UNKNOWN, or still retryable after 10 attempts)', String(unclear.length), pass(unclear.length === 0)],
  ['provider fetches per client request id, most', String(Math.max(0, ...outcomes.map((o) => records.fetches.get(o.subject) ?? 0))), pass(doubleFetched.length === 0)],
  ['client request ids fetched more than once by the provider', String(doubleFetched.length), pass(doubleFetched.length === 0)],
  ['delivered records without their audit entry', String(missingAudit.length), pass(missingAudit.length === 0)],
  ['client request ids with more than one delivery entry', String(twice), pass(twice === 0)],
  ['checkpoints while the signing node was down', takeover, pass(!takeover.startsWith('FAIL') && takeover !== 'not checked')],
  ['xhub audit verify over the whole log', `${verify.entries} entries, ${verify.checkpoints} checkpoints`, !verify.ok ? `FAIL: ${verify.failure?.reason}` : verify.unverifiedTail > 0 ? `FAIL: the last ${verify.unverifiedTail} entries are under no signed checkpoint` : 'PASS'],
];
console.log('\nchaos run summary (3 Kafka brokers, 3 nodes, 2 connectors)');
console.table(rows.map(([check, value, verdict]) => ({ check, value, verdict })));

for (const list of clients.values()) for (const c of list) c.close();
await admin.disconnect();
await Promise.all([...nodes.values(), ...connectors.values()].map((c) => c.stop()));
await records.close();
await cluster.stop();
await rm(state, { recursive: true, force: true });
process.exitCode = rows.some((r) => r[2]!.startsWith('FAIL')) ? 1 : 0;
