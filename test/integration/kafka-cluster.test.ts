import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ServiceError } from '@grpc/grpc-js';
import kafkajs, { type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAuditLog } from '../../broker/audit/audit-source.ts';
import type { CheckpointMessage } from '../../broker/audit/checkpoint-message.ts';
import { demoPrincipals, REPO_ROOT } from '../../cli/demo-setup.ts';
import type { Backend } from '../../connectors/backends/backend.types.ts';
import { withCheckDigit } from '../../lib/citizen-id.ts';
import { startLocalCluster, type LocalCluster } from '../../lib/kafka/local-cluster.ts';
import { KAFKA_AUDIT_READER, KAFKA_SEQUENCER, nodePrincipal } from '../../lib/kafka/principals.ts';
import { ExchangeClient } from '../../lib/exchange-client.ts';
import { demoNodeTls } from '../../cli/demo-tls.ts';
import { topicNames } from '../../lib/kafka/topics.ts';
import { startChildNode, type ChildNode } from '../helpers/child-node.ts';
import { HubFixture } from '../helpers/hub-fixture.ts';
import { ownTestKafka, testKafka, type TestKafkaTarget } from '../helpers/test-kafka.ts';

const { ConfigResourceTypes } = kafkajs;
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** BMA asks FPO for a welfare card: an agreement without consent, so every exchange is one provider fetch. */
const WELFARE = { recordType: 'fpo.welfare-card.status', purpose: 'LOCAL_SERVICE_REGISTRATION' };
/** Each exchange is about a person of its own, so the provider's count per subject is its count per client_request_id. */
let people = 0;
const newSubject = () => withCheckDigit(`3${String(100_000_000_000 + people++).slice(1)}`);

/** FPO's register, answering for anybody. */
const anyoneBackend: Backend = {
  fetch: async () => ({ cardHolder: true, programmeRound: '2025', monthlyBenefitBaht: 300, validUntil: '2027-09-30' }),
};

/**
 * Deadlines of the two kinds of callers. A patient one (the longest the node
 * allows) outlasts a broker's failover: 5 to 22 s measured here, from fencing
 * the dead broker to kafkajs consumers back in their groups. A hasty one (the
 * node's default) does not: what happens to it is printed on every run (an
 * attempt that timed out during a failover after its request was sent ends
 * ERR_DEADLINE_EXCEEDED, and its retries get ERR_OUTCOME_UNKNOWN: the hub does
 * not ask the provider twice).
 */
const PATIENT_MS = 30_000;
/** The audience all three nodes accept, so a caller's token works on whichever node it reaches. */
const CLUSTER = 'exchange-hub.cluster-test';
const HASTY_MS = 5_000;
const ATTEMPTS = 6;

interface Outcome {
  kind: 'patient' | 'hasty';
  clientRequestId: string;
  subject: string;
  startedAt: number;
  endedAt?: number;
  exchangeId?: string;
  /** Hub error code (or gRPC status) of each failed attempt. */
  failures: string[];
}

/** One exchange as a careful integrator makes it: each failed call retried with the same client_request_id. */
async function exchangeWithRetries(client: ExchangeClient, kind: Outcome['kind']): Promise<Outcome> {
  const outcome: Outcome = { kind, clientRequestId: randomUUID(), subject: newSubject(), startedAt: Date.now(), failures: [] };
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      const answer = await client.requestRecord({ ...WELFARE, subject: outcome.subject, clientRequestId: outcome.clientRequestId }, { timeoutMs: kind === 'patient' ? PATIENT_MS : HASTY_MS });
      return { ...outcome, exchangeId: answer.exchangeId, endedAt: Date.now() };
    } catch (error) {
      const e = error as ServiceError;
      outcome.failures.push(String(e.metadata?.get('xhub-error-code')[0] ?? `grpc-status-${e.code}`));
      await sleep(300 * attempt);
    }
  }
  return outcome;
}

/** Callers that keep exchanging, one call at a time each, until stopped. */
function keepExchanging(client: ExchangeClient, kinds: Outcome['kind'][]) {
  const outcomes: Outcome[] = [];
  let stopping = false;
  const loops = kinds.map(async (kind) => {
    while (!stopping) {
      outcomes.push(await exchangeWithRetries(client, kind));
      await sleep(50);
    }
  });
  return {
    outcomes,
    succeeded: () => outcomes.filter((o) => o.exchangeId).length,
    async stop() {
      stopping = true;
      await Promise.all(loops);
    },
  };
}

type SpreadOutcome = Omit<Outcome, 'kind'>;

/** Deadline of a caller in the node-kill run: long enough for a retry to see a dead holder's outcome become known. */
const SPREAD_MS = 10_000;

/**
 * One exchange as a caller behind a load balancer makes it: the first call to
 * one node, each retry to the next, all with the same client_request_id,
 * until an answer that is final (a record, or an error that is not retryable).
 */
async function exchangeSpread(clients: ExchangeClient[], caller: number, inFlight: number[]): Promise<SpreadOutcome> {
  const outcome: SpreadOutcome = { clientRequestId: randomUUID(), subject: newSubject(), startedAt: Date.now(), failures: [] };
  for (let attempt = 0; attempt < 12; attempt++) {
    const target = (caller + attempt) % clients.length;
    inFlight[target]! += 1;
    try {
      const answer = await clients[target]!.requestRecord({ ...WELFARE, subject: outcome.subject, clientRequestId: outcome.clientRequestId }, { timeoutMs: SPREAD_MS });
      return { ...outcome, exchangeId: answer.exchangeId, endedAt: Date.now() };
    } catch (error) {
      const e = error as ServiceError;
      const code = String(e.metadata?.get('xhub-error-code')[0] ?? `grpc-status-${e.code}`);
      outcome.failures.push(code);
      if (code === 'ERR_OUTCOME_UNKNOWN') return { ...outcome, endedAt: Date.now() };
      await sleep(200 * Math.min(attempt + 1, 5));
    } finally {
      inFlight[target]! -= 1;
    }
  }
  return { ...outcome, endedAt: Date.now() };
}

/** A node's newest line about its audit sequencer (active or standby). */
function lastSequencerLine(output: string): string {
  return output.split('\n').filter((l) => /audit sequencer (active|on standby)/.test(l)).at(-1) ?? '';
}

/** Leader of each partition of `topics`, as `topic-partition → node id`. */
async function leaders(admin: Admin, topics: string[]): Promise<Map<string, number>> {
  const { topics: described } = await admin.fetchTopicMetadata({ topics });
  return new Map(described.flatMap((t) => t.partitions.map((p) => [`${t.name}-${p.partitionId}`, p.leader] as const)));
}

/**
 * The hub on a real 3-node KRaft cluster (every node broker and controller),
 * secured as production is. While callers keep exchanging, a broker that leads
 * partitions is killed (-9) and brought back, then the active controller:
 * every patient caller's exchange ends with its record, the provider is asked
 * once per client_request_id, every delivery is on the audit log once, and the
 * log verifies with nothing left unsigned.
 */
describe('a 3-node Kafka cluster that loses a broker, then its controller', () => {
  let cluster: LocalCluster;
  let kafka: TestKafkaTarget;
  let hub: HubFixture;
  let admin: Admin;
  const children = new Map<string, ChildNode>();
  /** An exchange node in a process of its own on this cluster, as `xhub node` runs in production. */
  const startChild = (nodeId: string) =>
    startChildNode(
      {
        nodeId,
        listen: '127.0.0.1:0',
        policiesDir: hub.demo.policiesDir,
        hubKeyFile: hub.demo.hubKeyFile,
        nodeKeyFile: hub.demo.nodeKeyFile(nodeId),
        pseudonymKeyFile: hub.demo.pseudonymKeyFile,
        ...kafka.settings(nodePrincipal(nodeId)),
        kafkaSequencerCredentialsFile: kafka.settings(KAFKA_SEQUENCER).kafkaCredentialsFile,
        replicationFactor: 3,
        topicPrefix: hub.topicPrefix,
        tls: demoNodeTls(hub.demo.tls),
        adminListen: '127.0.0.1:0',
        clusterAudience: CLUSTER,
        auditSequencer: true,
        auditQueries: false,
      },
      hub.stateDir,
      { timeoutMs: 90_000 },
    );
  const auditReader = () => testKafka(KAFKA_AUDIT_READER, 'cluster-test-audit', kafka);
  /** The audit log's length and the size of its newest signed checkpoint. */
  const auditProgress = async () => {
    const log = await readAuditLog(auditReader(), hub.topicPrefix);
    const last = log.checkpoints.at(-1);
    const signed = last ? ((m: CheckpointMessage) => m.from + m.leaves.length)(JSON.parse(last.toString()) as CheckpointMessage) : 0;
    return { entries: log.entries, signed };
  };
  /** Waits until a signed checkpoint covers the whole audit log; returns its entries. */
  const auditSettled = async () => {
    let entries: { kind: string; exchangeId?: string }[] = [];
    await expect
      .poll(
        async () => {
          const now = await auditProgress();
          entries = now.entries.map((e) => JSON.parse(e.toString()) as { kind: string; exchangeId?: string });
          return now.signed === now.entries.length;
        },
        { timeout: 45_000, interval: 500 },
      )
      .toBe(true);
    return entries;
  };
  /** `xhub audit verify` over the whole log, as the DPO runs it. */
  const verifyAudit = async () => {
    const settings = kafka.settings(KAFKA_AUDIT_READER);
    const verify = await run(
      process.execPath,
      [join(REPO_ROOT, 'cli/xhub.ts'), 'audit', 'verify', '--policies', hub.demo.policiesDir, '--brokers', settings.kafkaBrokers.join(','), '--kafka-ca', settings.kafkaCaFile, '--kafka-credentials', settings.kafkaCredentialsFile, '--prefix', hub.topicPrefix],
      { cwd: REPO_ROOT },
    );
    return verify.stdout;
  };

  beforeAll(async () => {
    const started = Date.now();
    cluster = await startLocalCluster({ brokers: 3, principals: demoPrincipals(), onProgress: (line) => console.log(`[cluster] ${line}`) });
    console.log(`[cluster] up in ${Date.now() - started} ms`);
    kafka = ownTestKafka(cluster, 3);
    admin = testKafka('admin', 'cluster-test', kafka).admin();
    await admin.connect();
    const hubStarted = Date.now();
    // node-1 (in this process) serves calls; node-2 and node-3 (processes of their own, so they can be
    // killed -9) serve calls too and are the audit sequencers: one signs checkpoints, the other stands by.
    hub = await HubFixture.start({ kafka, connectors: [], node: { clusterAudience: CLUSTER, auditSequencer: false } });
    await hub.startConnector('FPO', anyoneBackend);
    for (const nodeId of ['node-2', 'node-3']) children.set(nodeId, await startChild(nodeId));
    console.log(`[cluster] hub (3 nodes and FPO connector) up in ${Date.now() - hubStarted} ms`);
  });
  afterAll(async () => {
    await Promise.all([...children.values()].map((c) => c.stop()));
    await hub?.stop();
    await admin?.disconnect();
    await cluster?.stop();
  });

  it('runs three brokers, each a voter of the KRaft quorum', async () => {
    const { brokers } = await admin.describeCluster();
    expect(brokers.map((b) => b.nodeId).sort()).toEqual([1, 2, 3]);
    expect(cluster.nodes.every((n) => n.running && n.pid)).toBe(true);
    expect(cluster.nodes.map((n) => n.nodeId)).toContain(cluster.nodes[await cluster.controllerIndex()]!.nodeId);
  });

  it('provisions every hub topic with 3 replicas, min.insync.replicas=2 and no unclean leader election', async () => {
    const t = topicNames(hub.topicPrefix);
    const ours = (await admin.listTopics()).filter((name) => name.startsWith(hub.topicPrefix));
    expect(ours).toEqual(expect.arrayContaining([t.requests('FPO'), t.replies('node-1'), t.consentEvents(), t.audit(), t.auditCheckpoints(), t.claims(), t.deadLetter()]));
    const { topics } = await admin.fetchTopicMetadata({ topics: ours });
    const replicas = topics.flatMap((topic) => topic.partitions.map((p) => [`${topic.name}-${p.partitionId}`, p.replicas.length]));
    expect(replicas.filter(([, n]) => n !== 3)).toEqual([]);
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: ours.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['min.insync.replicas', 'unclean.leader.election.enable'] })),
    });
    for (const r of resources) {
      const config = Object.fromEntries(r.configEntries.map((e) => [e.configName, e.configValue]));
      expect({ topic: r.resourceName, ...config }).toEqual({ topic: r.resourceName, 'min.insync.replicas': '2', 'unclean.leader.election.enable': 'false' });
    }
  });

  it('loses no exchange, fetches no record twice and audits every delivery while a partition leader, then the active controller, is killed', { timeout: 180_000 }, async () => {
    const client = await hub.client('BMA');
    const load = keepExchanging(client, ['patient', 'patient', 'patient', 'hasty', 'hasty']);
    const faults: { what: string; at: number }[] = [];
    let controllerBack: Promise<void> | undefined;
    const progress = async (more: number) => {
      const target = load.succeeded() + more;
      await expect.poll(load.succeeded, { timeout: 45_000, interval: 200 }).toBeGreaterThanOrEqual(target);
    };
    try {
      await progress(5);
      // A broker that leads partitions the exchanges write (the audit log and claims have one partition each), other than the controller.
      const controller = cluster.nodes[await cluster.controllerIndex()]!.nodeId;
      const t = topicNames(hub.topicPrefix);
      const led = await leaders(admin, [t.audit(), t.claims(), t.requests('FPO'), t.replies('node-1')]);
      const victim = [...led.values()].find((id) => id !== controller) ?? cluster.nodes.find((n) => n.nodeId !== controller)!.nodeId;
      faults.push({ what: `node ${victim}, leader of ${[...led].filter(([, id]) => id === victim).map(([tp]) => tp).join(', ') || 'none of ours'}`, at: Date.now() });
      await cluster.kill(cluster.indexOf(victim));
      await progress(10);
      await cluster.start(cluster.indexOf(victim));
      await cluster.waitUntilInSync();

      const active = cluster.nodes[await cluster.controllerIndex()]!.nodeId;
      faults.push({ what: `node ${active}, the active controller`, at: Date.now() });
      await cluster.kill(cluster.indexOf(active));
      await progress(10);
      expect(cluster.nodes[await cluster.controllerIndex()]!.nodeId).not.toBe(active);
      // Back while the audit log is checked below: the first fault already showed the hub after a node's return.
      controllerBack = cluster.start(cluster.indexOf(active)).then(() => cluster.waitUntilInSync());
    } finally {
      await load.stop();
    }

    const fetches = hub.backends.get('FPO')!.calls;
    const report = (kind: Outcome['kind']) => {
      const mine = load.outcomes.filter((o) => o.kind === kind);
      const failed = mine.filter((o) => !o.exchangeId);
      const twice = mine.filter((o) => (fetches.get(o.subject) ?? 0) > 1);
      console.log(
        `[cluster] ${kind} callers: ${mine.length} exchanges, ${mine.filter((o) => o.failures.length > 0).length} retried, ${failed.length} failed for good ${JSON.stringify(failed.map((o) => o.failures))}, ${twice.length} fetched twice`,
      );
      return { mine, failed, twice };
    };
    for (const fault of faults) {
      const inFlight = load.outcomes.filter((o) => o.kind === 'patient' && o.endedAt && o.startedAt <= fault.at && o.endedAt >= fault.at);
      console.log(`[cluster] killed ${fault.what}: patient exchanges in flight took up to ${Math.max(0, ...inFlight.map((o) => o.endedAt! - o.startedAt))} ms`);
    }
    const patient = report('patient');
    report('hasty');
    // Every patient exchange ended with its record, retried with the same client_request_id where it failed.
    expect(patient.failed).toEqual([]);
    // The provider was asked exactly once per patient client_request_id.
    expect(patient.mine.filter((o) => fetches.get(o.subject) !== 1)).toEqual([]);

    // Every record handed out is on the audit log, delivered once; a signed checkpoint covers it all.
    const entries = await auditSettled();
    const delivered = entries.filter((e) => e.kind === 'delivered').map((e) => e.exchangeId);
    expect(delivered.length).toBe(new Set(delivered).size);
    expect(load.outcomes.filter((o) => o.exchangeId && !delivered.includes(o.exchangeId))).toEqual([]);
    expect(await verifyAudit()).toMatch(/^OK: \d+ entries, \d+ checkpoints; \d+ entries covered by signed checkpoints, 0 newer ones not yet/m);
    await controllerBack;
    expect(cluster.nodes.every((n) => n.running)).toBe(true);
  });
  it('kill -9 a node while its callers retry on the others, then the node signing checkpoints: no second fetch, nothing unaudited, another node takes over the checkpoints', { timeout: 240_000 }, async () => {
    const clients = [
      hub.track(new ExchangeClient(hub.address, 'BMA', await hub.key('BMA'), CLUSTER, await hub.transport('BMA'))),
      ...(await Promise.all(['node-2', 'node-3'].map(async (id) => hub.track(new ExchangeClient(`127.0.0.1:${children.get(id)!.port}`, 'BMA', await hub.key('BMA'), CLUSTER, await hub.transport('BMA')))))),
    ];
    const outcomes: SpreadOutcome[] = [];
    /** Calls under way on each node (node-1, node-2, node-3). */
    const inFlight = [0, 0, 0];
    let stopping = false;
    const loops = Array.from({ length: 6 }, async (_, caller) => {
      while (!stopping) {
        outcomes.push(await exchangeSpread(clients, caller, inFlight));
        await sleep(50);
      }
    });
    const succeeded = () => outcomes.filter((o) => o.exchangeId).length;
    const progress = async (more: number) => {
      const target = succeeded() + more;
      await expect.poll(succeeded, { timeout: 60_000, interval: 200 }).toBeGreaterThanOrEqual(target);
    };
    const sequencerOf = () => [...children].find(([, c]) => /audit sequencer active/.test(lastSequencerLine(c.output())))?.[0];
    const kills: { nodeId: string; at: number; inFlight: number }[] = [];
    const kill = async (nodeId: string) => {
      // While it has calls under way, so that some die with it and their callers retry elsewhere.
      const slot = nodeId === 'node-2' ? 1 : 2;
      await expect.poll(() => inFlight[slot], { timeout: 10_000, interval: 1 }).toBeGreaterThan(0);
      kills.push({ nodeId, at: Date.now(), inFlight: inFlight[slot]! });
      process.kill(children.get(nodeId)!.pid, 'SIGKILL');
    };
    let signedBeforeKill: number | undefined;
    try {
      await progress(10);
      // One sequencer signs, the other stands by.
      await expect.poll(sequencerOf, { timeout: 30_000 }).toBeDefined();
      const holder = sequencerOf()!;
      const other = holder === 'node-2' ? 'node-3' : 'node-2';

      // A node that only serves (its sequencer on standby) dies; its callers retry on the other nodes.
      await kill(other);
      await progress(15);
      children.set(other, await startChild(other));
      clients[other === 'node-2' ? 1 : 2] = hub.track(new ExchangeClient(`127.0.0.1:${children.get(other)!.port}`, 'BMA', await hub.key('BMA'), CLUSTER, await hub.transport('BMA')));
      await progress(5);

      // The node signing checkpoints dies: the standby must take over, while the dead one stays down.
      signedBeforeKill = (await auditProgress()).signed;
      await kill(holder);
      await progress(15);
      // Entries written since the kill: only a sequencer that took over can sign a checkpoint that covers them.
      const writtenSinceKill = (await auditProgress()).entries.length;
      await expect.poll(async () => (await auditProgress()).signed, { timeout: 60_000, interval: 500 }).toBeGreaterThanOrEqual(writtenSinceKill);
      expect(lastSequencerLine(children.get(other)!.output())).toMatch(/audit sequencer active/);
      children.set(holder, await startChild(holder));
    } finally {
      stopping = true;
      await Promise.all(loops);
    }

    const fetches = hub.backends.get('FPO')!.calls;
    const delivered = outcomes.filter((o) => o.exchangeId);
    const unknown = outcomes.filter((o) => !o.exchangeId && o.failures.at(-1) === 'ERR_OUTCOME_UNKNOWN');
    const unclear = outcomes.filter((o) => !o.exchangeId && !unknown.includes(o));
    const twice = outcomes.filter((o) => (fetches.get(o.subject) ?? 0) > 1);
    const codes: Record<string, number> = {};
    for (const code of outcomes.flatMap((o) => o.failures)) codes[code] = (codes[code] ?? 0) + 1;
    console.log(
      `[cluster] node kills ${JSON.stringify(kills)}, failed attempts by code ${JSON.stringify(codes)}: ${outcomes.length} exchanges over 3 nodes, ${delivered.length} delivered, ${outcomes.filter((o) => o.failures.length > 0).length} retried on another node, ${unknown.length} ended ERR_OUTCOME_UNKNOWN (in flight on a killed node), ${unclear.length} without a clear answer ${JSON.stringify(unclear.map((o) => o.failures))}, ${twice.length} fetched twice; checkpoints signed up to ${signedBeforeKill} when the sequencer died`,
    );
    // Every exchange ended with its record, or (only one that was in flight on a node when it was killed) a clear, final ERR_OUTCOME_UNKNOWN.
    expect(unclear).toEqual([]);
    expect(unknown.filter((o) => !kills.some((k) => o.startedAt <= k.at && o.endedAt! >= k.at))).toEqual([]);
    // The provider was asked at most once per client_request_id, whatever node the retries reached.
    expect(twice).toEqual([]);
    expect(delivered.filter((o) => fetches.get(o.subject) !== 1)).toEqual([]);

    // Every delivery is on the audit log once, and the log verifies with nothing left unsigned.
    const entries = await auditSettled();
    const deliveredEntries = entries.filter((e) => e.kind === 'delivered').map((e) => e.exchangeId);
    expect(deliveredEntries.length).toBe(new Set(deliveredEntries).size);
    expect(delivered.filter((o) => !deliveredEntries.includes(o.exchangeId))).toEqual([]);
    expect(await verifyAudit()).toMatch(/^OK: \d+ entries, \d+ checkpoints; \d+ entries covered by signed checkpoints, 0 newer ones not yet/m);
  });
});
