import { KeyObject } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import { Closer } from '../lib/closer.ts';
import { loadSigningKeyFile, type SigningKey } from '../lib/crypto/keys.ts';
import { Pseudonymiser } from '../lib/crypto/pseudonym.ts';
import { HubError } from '../lib/errors/hub-error.ts';
import { RecordSigner, type NodeKeyLookup } from '../lib/crypto/record-signature.ts';
import { createKafka } from '../lib/kafka/client.ts';
import { readKafkaCredentials, resolveKafkaConnection, type KafkaConnection } from '../lib/kafka/connection.ts';
import { sendDeadLetter } from '../lib/kafka/dead-letter.ts';
import type { BatchingProducer } from '../lib/kafka/batching-producer.ts';
import { connectProducer } from '../lib/kafka/producer.ts';
import { groupNames, provisionHub, requireTopics } from '../lib/kafka/provision.ts';
import { topicNames, type TopicLayout, type TopicNames } from '../lib/kafka/topics.ts';
import { createHubMetrics, type HubMetrics } from '../lib/metrics/hub-metrics.ts';
import { startAdminListener } from '../lib/metrics/admin-server.ts';
import { watchReadiness, type ReadinessCheck } from '../lib/metrics/readiness.ts';
import { kafkaReachable, watchConsumerLag } from '../lib/metrics/kafka-metrics.ts';
import { observeDeadLetters } from '../lib/kafka/dead-letter.ts';
import { auditIndexMetrics } from './audit/audit-metrics.ts';
import { consentViewMetrics } from './consent/consent-metrics.ts';
import { rpcMetrics } from './transport/rpc-metrics.ts';
import { createLogger, type Logger } from '../lib/log.ts';
import { accessLogService, auditService, consentService, exchangeService } from '../lib/proto.ts';
import { accessLogHandlers } from './access-log/access-log-service.ts';
import { loadUsers } from './console/console-users.ts';
import { toWire } from './consent/consent-wire.ts';
import { startConsole } from './console/console-server.ts';
import { loadPolicy, nodeKeyLookup, nodeKeyOwner, providersOf } from '../policies/policy-loader.ts';
import type { Policy } from '../policies/policy.types.ts';
import { loadNodeConfig, resolveAuditOrigin, type NodeConfig, type ResolvedNodeConfig } from './config.ts';
import { assertHubTopics } from '../lib/kafka/topic-check.ts';
import { AuditWriter } from './audit/audit-writer.ts';
import { Sequencer } from './audit/sequencer.ts';
import { AuditIndex } from './audit/audit-index.ts';
import { AuditIndexer } from './audit/audit-indexer.ts';
import { noteSigner, verifierOf } from '../lib/merkle/signed-note.ts';
import { auditHandlers } from './audit/audit-service.ts';
import { ConsentLog } from './consent/consent-log.ts';
import { consentHandlers } from './consent/consent-service.ts';
import { requestRecord, type ExchangeDeps } from './exchange/request-record.ts';
import { bulkStream } from './bulk/bulk-stream.ts';
import type * as grpc from '@grpc/grpc-js';
import { ClaimLog } from './claims/claim-log.ts';
import { OutcomeSealer } from './claims/outcome-seal.ts';
import { ClaimedTokens } from './claims/token-replay.ts';
import { PolicyHolder, type ReloadResult } from './policy-holder.ts';
import { ReplyRouter } from './routing/reply-router.ts';
import { startGrpcServer } from './transport/grpc-server.ts';
import { SecurityEvents } from './transport/security-events.ts';
import { unary, unaryService, type UnaryEdge } from './transport/unary.ts';

export interface RunningNode {
  config: ResolvedNodeConfig;
  port: number;
  policy(): Policy;
  /** Validates the policy folder whole and puts it in force, or refuses it and keeps the old one. */
  reloadPolicy(): Promise<ReloadResult>;
  consents: ConsentLog;
  /** This node's metrics (security events among them), for a Prometheus scrape. */
  metrics: Registry;
  /** Port of the admin listener (/metrics, /healthz, /readyz); undefined when adminListen is off. */
  adminPort: number | undefined;
  /** Port of the DPO console (HTTPS), when this node serves it. */
  consolePort: number | undefined;
  stop(): Promise<void>;
}

/** What a caller may hand a node besides its config: for tests, a frozen clock for disclosure deferrals. */
export interface NodeHooks {
  now?: () => number;
}

/**
 * Starts an exchange node: loads and validates config and policy (refusing to
 * start on any error), creates its Kafka topics, rebuilds the consent view from
 * the consent topic, joins its reply topic, then serves gRPC and reports
 * SERVING on health.
 */
export async function startNode(explicit: Partial<NodeConfig>, log: Logger = createLogger('xhub-node'), hooks: NodeHooks = {}): Promise<RunningNode> {
  const loaded = loadNodeConfig(explicit);
  const policy = await loadPolicy(loaded.policiesDir);
  const config = resolveAuditOrigin(loaded, policy.hubId);
  const hubKey = await loadSigningKeyFile(config.hubKeyFile);
  if (!policy.keys.find('hub', hubKey.kid)) {
    throw new HubError('ERR_CONFIG_INVALID', `hub key "${hubKey.kid}" is not in the policy's hub.json JWKS: connectors could not verify this node`);
  }
  const nodeKey = await loadSigningKeyFile(config.nodeKeyFile);
  if (!policy.nodeIds.has(config.nodeId) || !policy.keys.find(nodeKeyOwner(config.nodeId), nodeKey.kid)) {
    throw new HubError('ERR_CONFIG_INVALID', `node "${config.nodeId}" with key "${nodeKey.kid}" is not registered in the policy's hub.json nodes: nobody would believe the consent events and audit entries it signs`);
  }
  const pseudonyms = await Pseudonymiser.fromFile(config.pseudonymKeyFile);
  const nodeLog = log.child({ nodeId: config.nodeId });
  const topics = topicNames(config.topicPrefix);
  const connection = resolveKafkaConnection(config, 'node');
  const kafka = createKafka(connection, `xhub-node-${config.nodeId}`, nodeLog);
  const opened = new Closer();
  try {
    return await open(config, { policy, hubKey, signer: new RecordSigner(config.nodeId, nodeKey), pseudonyms, connection, kafka, topics, log: nodeLog, opened, hooks });
  } catch (error) {
    await opened.closeAll();
    throw error;
  }
}

interface Parts {
  policy: Policy;
  hubKey: SigningKey;
  signer: RecordSigner;
  pseudonyms: Pseudonymiser;
  connection: KafkaConnection;
  kafka: Kafka;
  topics: TopicNames;
  log: Logger;
  opened: Closer;
  hooks: NodeHooks;
}

/** Opens every part of the node in order, registering how to close each in `opened`. */
async function open(config: ResolvedNodeConfig, { policy, hubKey, signer, pseudonyms, connection, kafka, topics, log: nodeLog, opened, hooks }: Parts): Promise<RunningNode> {
  // The admin listener first: /healthz answers while the consent view is rebuilt, /readyz says 503 until all is up.
  const metrics = createHubMetrics();
  const readiness: Record<string, ReadinessCheck> = { startup: () => 'the node is starting' };
  const adminServer = await startAdminListener(config, metrics.registry, readiness, nodeLog);
  if (adminServer) opened.add(() => adminServer.close());
  const admin = kafka.admin();
  await admin.connect().catch((cause: unknown) => {
    throw new HubError('ERR_KAFKA_UNAVAILABLE', `cannot reach Kafka at ${config.kafkaBrokers.join(',')}: ${(cause as Error).message}`, { cause });
  });
  opened.add(() => admin.disconnect());
  const layout = { partitions: config.topicPartitions, replicationFactor: config.replicationFactor };
  const replyTopic = topics.replies(config.nodeId);
  const groups = groupNames(config.topicPrefix);
  // Topics exist before anything uses them: created here only where the node holds the admin's credentials.
  const ensureHubTopics = hubTopicsStep(config, connection, nodeLog, layout, topics, replyTopic);
  await ensureHubTopics(admin, policy);
  await assertHubTopics(admin, topics, providersOf(policy), { replicationFactor: config.replicationFactor });
  // A reloaded policy may name new providers: their topics exist before it decides.
  const policies = new PolicyHolder(policy, (next) => ensureHubTopics(admin, next), nodeLog);
  opened.add(() => policies.close());
  const nodeKeys = (): NodeKeyLookup => nodeKeyLookup(policies.current());

  // Two producers: see connectNodeProducer.
  const producer = await connectNodeProducer(kafka, opened, metrics, 'node');
  const claimsProducer = await connectNodeProducer(kafka, opened, metrics, 'node-claims');
  const audit = new AuditWriter(producer, topics.audit(), signer);
  if (!config.auditSequencer) nodeLog.info('audit sequencer off on this node: checkpoints are signed by a node with auditSequencer on');
  if (config.auditSequencer) {
    // The sequencer is its own principal: the only one that may write checkpoints.
    const sequencerConnection = config.kafkaSequencerCredentialsFile ? { ...connection, credentials: readKafkaCredentials(config.kafkaSequencerCredentialsFile, 'node') } : connection;
    const sequencerKafka = createKafka(sequencerConnection, `xhub-sequencer-${config.nodeId}`, nodeLog);
    const sequencerProducer = await connectProducer(sequencerKafka);
    opened.add(sequencerProducer.disconnect);
    metrics.watchProducerQueue('sequencer', () => sequencerProducer.producer.queued);
    const sequencer = new Sequencer({
      kafka: sequencerKafka,
      producer: sequencerProducer.producer,
      auditTopic: topics.audit(),
      checkpointTopic: topics.auditCheckpoints(),
      groupId: groups.sequencer(),
      origin: config.auditOrigin,
      hubKey,
      log: nodeLog,
      intervalMs: config.checkpointIntervalMs,
    });
    opened.add(() => sequencer.stop());
    await sequencer.start();
  }
  let auditIndex: AuditIndex | undefined;
  if (config.auditQueries) {
    const index = new AuditIndex(config.auditIndexFile);
    auditIndex = index;
    opened.add(() => index.close());
    auditIndexMetrics(metrics.registry, index);
    // A checkpoint is due every checkpointIntervalMs while entries arrive; twenty missed means no sequencer is at work.
    const verifier = verifierOf(noteSigner(config.auditOrigin, KeyObject.from(hubKey.key)));
    const indexer = new AuditIndexer(kafka, index, { audit: topics.audit(), checkpoints: topics.auditCheckpoints() }, { verifier, origin: config.auditOrigin }, nodeLog, 20 * config.checkpointIntervalMs, {
      keys: nodeKeys,
      groupPrefix: groups.node(config.nodeId),
      onRejected: (code, index, reason, raw, offset) => {
        metrics.rejectedRecords.inc({ topic: 'audit', code });
        void sendDeadLetter(producer, topics.deadLetter(), { code, message: `audit entry ${index}: ${reason}`, source: { topic: topics.audit(), partition: 0, offset: String(offset) }, by: `node:${config.nodeId}`, value: raw }).catch(
          (error: unknown) => nodeLog.error({ err: error }, 'dead letter for an unverified audit entry could not be written'),
        );
      },
    });
    opened.add(() => indexer.stop());
    await indexer.start();
  }
  const consents = new ConsentLog({
    kafka,
    producer,
    topic: topics.consentEvents(),
    deadLetterTopic: topics.deadLetter(),
    nodeId: config.nodeId,
    signer,
    nodeKeys,
    groupPrefix: groups.node(config.nodeId),
    onRejected: (code) => metrics.rejectedRecords.inc({ topic: 'consent-events', code }),
    log: nodeLog,
    lagToleranceMs: config.consentLagToleranceMs,
  });
  opened.add(() => consents.stop());
  await consents.start();
  consentViewMetrics(metrics.registry, consents);
  const router = new ReplyRouter({ kafka, producer, replyTopic, deadLetterTopic: topics.deadLetter(), nodeId: config.nodeId, partitions: config.topicPartitions, groupId: `${groups.node(config.nodeId)}replies`, keys: () => policies.current().keys, log: nodeLog, observe: (consumer) => watchConsumerLag(consumer, metrics, `${groups.node(config.nodeId)}replies`) });
  opened.add(() => router.stop());
  await router.start();
  const reloaded = (result: ReloadResult) =>
    audit
      .append({ kind: 'policy-reloaded', actor: config.nodeId, decision: result.ok ? 'permit' : 'deny', detail: result.ok ? `${result.policy.agreements.length} agreements` : `refused: ${result.issues.length} issues` })
      .catch((error: unknown) => nodeLog.error({ err: error }, 'audit entry for a policy reload could not be written'));
  if (config.watchPolicies) policies.watch((result) => void reloaded(result));

  // One replay guard and one idempotency store for the whole deployment: the claims topic.
  const claims = new ClaimLog({
    kafka,
    producer: claimsProducer,
    topic: topics.claims(),
    deadLetterTopic: topics.deadLetter(),
    nodeId: config.nodeId,
    signer,
    nodeKeys,
    groupPrefix: groups.node(config.nodeId),
    onRejected: (code) => metrics.rejectedRecords.inc({ topic: 'claims', code }),
    log: nodeLog,
  });
  opened.add(() => claims.stop());
  await claims.start();
  const replay = new ClaimedTokens(claims);
  const claimed = { claims, sealer: new OutcomeSealer(pseudonyms), keys: pseudonyms, ttlMs: config.idempotencyTtlMs, log: nodeLog };
  const auth = { audience: config.clusterAudience ? [config.nodeId, config.clusterAudience] : config.nodeId, maxLifetimeSec: config.maxTokenLifetimeSec, clockSkewSec: config.clockSkewSec };
  const deps: ExchangeDeps = {
    nodeId: config.nodeId,
    policy: () => policies.current(),
    hubKey,
    router,
    topics,
    replyTopic,
    claimed,
    consents,
    pseudonyms,
    audit,
    auth,
    timeouts: { defaultMs: config.defaultTimeoutMs, maxMs: config.maxTimeoutMs },
    log: nodeLog,
  };
  const exchange = exchangeService();
  const consent = consentService();
  const auditApi = auditService();
  const accessLogImpl = accessLogHandlers({ policy: () => policies.current(), index: auditIndex, nodeId: config.nodeId, pseudonyms, replay, auth, audit, now: hooks.now ?? Date.now });
  const logVerifier = verifierOf(noteSigner(config.auditOrigin, KeyObject.from(hubKey.key)));
  const auditImpl = auditHandlers({ policy: () => policies.current(), index: auditIndex, nodeId: config.nodeId, pseudonyms, replay, auth, logVerifier });
  const consentApi = consentHandlers({ policy: () => policies.current(), consents, pseudonyms, hubKey, replay, auth, audit, log: nodeLog, grantLimits: { maxValidityDays: config.maxConsentValidityDays } });
  const edge: UnaryEdge = { log: nodeLog, security: new SecurityEvents(metrics.registry, nodeLog, audit), observe: rpcMetrics(metrics.registry) };
  const transport = config.tls ? { tls: config.tls } : ({ insecure: true } as const);
  const server = await startGrpcServer(config.listen, transport, [
    {
      name: 'xhub.exchange.v1.Exchange',
      service: exchange.Client.service,
      handlers: { RequestRecord: unary((ctx, request) => requestRecord(deps, ctx, request as never), edge), RequestRecords: bulkStream(deps, edge) as grpc.UntypedHandleCall },
    },
    {
      name: 'xhub.consent.v1.Consent',
      service: consent.Client.service,
      handlers: unaryService(consentApi, edge),
    },
    {
      name: 'xhub.audit.v1.Audit',
      service: auditApi.Client.service,
      handlers: unaryService(auditImpl, edge),
    },
    {
      name: 'xhub.access.v1.AccessLog',
      service: accessLogService().Client.service,
      handlers: unaryService(accessLogImpl, edge),
    },
  ]);
  opened.add(() => server.stop());
  readyWhen(readiness, {
    kafka: kafkaReachable(admin),
    replies: () => router.lastingProblem(),
    claims: () => claims.lastingProblem(),
    'consent-view': () => (consents.isCurrent() ? undefined : `stale: ${consents.lag()} consent events not applied, end offsets last learned ${Date.now() - consents.endOffsetsKnownAt()} ms ago`),
    policy: () => (policies.current() ? undefined : 'no policy loaded'),
  });
  // grpc.health.v1 says what /readyz says: SERVING only while every readiness check passes.
  const health = watchReadiness(readiness, HEALTH_INTERVAL_MS, (failed, results) => {
    server.setServing(failed.length === 0);
    if (failed.length > 0) nodeLog.warn({ failed: Object.fromEntries(failed.map((name) => [name, results[name]])) }, 'not ready: gRPC health says NOT_SERVING');
    else nodeLog.info('ready: gRPC health says SERVING');
  });
  opened.add(health.stop);
  await health.first;
  let consolePort: number | undefined;
  if (config.console) {
    if (!auditIndex || !config.tls) throw new HubError('ERR_CONFIG_INVALID', 'console: the DPO console runs on an audit node (auditQueries on) with tls set; it serves HTTPS only');
    const users = await loadUsers(config.console.usersFile, policies.current());
    const consoleServer = await startConsole({ config: config.console, tls: config.tls, policy: () => policies.current(), index: auditIndex, pseudonyms, audit, logVerifier, users, consentsOf: (ref) => {
        if (!consents.isCurrent()) throw new HubError('ERR_CONSENT_VIEW_STALE', 'the consent view is behind the consent log; try again in a moment');
        return consents.view.forSubject(ref).map((c) => toWire(c));
      }, log: nodeLog.child({ component: 'console' }), ...(hooks.now ? { now: hooks.now } : {}) });
    opened.add(() => consoleServer.close());
    consolePort = consoleServer.port;
    nodeLog.info({ port: consolePort, users: users.size }, 'DPO console serving (HTTPS)');
  }
  nodeLog.info({ port: server.port, consents: consents.view.size, tls: transport.tls ? (transport.tls.clientCaFile ? 'mutual' : 'server') : 'off (insecure, loopback)' }, 'exchange node serving');

  return {
    config,
    port: server.port,
    policy: () => policies.current(),
    reloadPolicy: async () => {
      const result = await policies.reload();
      await reloaded(result);
      return result;
    },
    consents,
    metrics: metrics.registry,
    adminPort: adminServer?.port,
    consolePort,
    async stop() {
      server.setServing(false);
      readyWhen(readiness, { shutdown: () => 'the node is stopping' });
      const errors = await opened.closeAll();
      for (const error of errors) nodeLog.warn({ err: error }, 'error while stopping');
      nodeLog.info('exchange node stopped');
    },
  };
}

/** How often the gRPC health status is brought in line with the readiness checks. */
const HEALTH_INTERVAL_MS = 1_000;

/** Replaces every readiness check with `checks` (the admin listener reads them at each probe). */
function readyWhen(readiness: Record<string, ReadinessCheck>, checks: Record<string, ReadinessCheck>): void {
  for (const name of Object.keys(readiness)) Reflect.deleteProperty(readiness, name);
  Object.assign(readiness, checks);
}

/**
 * Provisions the hub's topics and ACLs where the node holds the admin's
 * credentials (used at start and on policy reload, then closed); otherwise
 * checks that the topics this node needs exist, so an unprovisioned hub fails
 * at start with a clear message rather than on the first call.
 */
function hubTopicsStep(config: Readonly<NodeConfig>, connection: KafkaConnection, log: Logger, layout: TopicLayout, topics: TopicNames, replyTopic: string) {
  return async (admin: Admin, policy: Policy): Promise<void> => {
    const providers = providersOf(policy);
    if (config.kafkaAdminCredentialsFile) {
      const kafkaAdmin = createKafka({ ...connection, credentials: readKafkaCredentials(config.kafkaAdminCredentialsFile, 'node') }, `xhub-admin-${config.nodeId}`, log).admin();
      await kafkaAdmin.connect();
      try {
        await provisionHub(kafkaAdmin, config.topicPrefix, { nodeIds: policy.nodeIds, providers }, layout, log);
      } finally {
        await kafkaAdmin.disconnect();
      }
    }
    await requireTopics(admin, [...providers.map((p) => topics.requests(p)), replyTopic, topics.deadLetter(), topics.consentEvents(), topics.audit(), topics.auditCheckpoints(), topics.claims()]);
  };
}

/**
 * One of the node's two producers, each idempotent with one request in flight,
 * with its queue gauge and dead-letter counter: `node` (requests to providers,
 * audit entries, consent events, dead letters) and `node-claims`. A request
 * shares its producer with the audit entries so that it never reaches Kafka
 * in an earlier produce request than its exchange's decision entry
 * (AuditWriter.queued). The claims have their own: an exchange waits on its
 * claim before anything else, and with one producer the claim queued behind a
 * produce request carrying other exchanges' requests and audit entries.
 */
async function connectNodeProducer(kafka: Kafka, opened: Closer, metrics: HubMetrics, name: 'node' | 'node-claims'): Promise<BatchingProducer> {
  const { producer, disconnect } = await connectProducer(kafka);
  opened.add(disconnect);
  metrics.watchProducerQueue(name, () => producer.queued);
  observeDeadLetters(producer, (reason) => metrics.deadLetters.inc({ reason }));
  return producer;
}
