import { KeyObject } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import { Closer } from '../lib/closer.ts';
import { loadSigningKeyFile, type SigningKey } from '../lib/crypto/keys.ts';
import { Pseudonymiser } from '../lib/crypto/pseudonym.ts';
import { HubError } from '../lib/errors/hub-error.ts';
import { createKafka } from '../lib/kafka/client.ts';
import { connectProducer } from '../lib/kafka/producer.ts';
import { ensureTopics, topicSpecs, topicNames, type TopicLayout, type TopicNames } from '../lib/kafka/topics.ts';
import { createLogger, type Logger } from '../lib/log.ts';
import { auditService, consentService, exchangeService, type RequestRecordResponse } from '../lib/proto.ts';
import { ReplayGuard } from '../lib/replay-guard.ts';
import { loadPolicy } from '../policies/policy-loader.ts';
import type { Policy } from '../policies/policy.types.ts';
import { loadNodeConfig, type NodeConfig } from './config.ts';
import { assertHistoryTopic } from '../lib/kafka/topic-check.ts';
import { AuditWriter } from './audit/audit-writer.ts';
import { Sequencer } from './audit/sequencer.ts';
import { AuditIndex } from './audit/audit-index.ts';
import { AuditIndexer } from './audit/audit-indexer.ts';
import { noteSigner, verifierOf } from '../lib/merkle/signed-note.ts';
import { auditHandlers } from './audit/audit-service.ts';
import { ConsentLog } from './consent/consent-log.ts';
import { consentHandlers } from './consent/consent-service.ts';
import { requestRecord, type ExchangeDeps } from './exchange/request-record.ts';
import { IdempotencyStore } from './idempotency/idempotency-store.ts';
import { PolicyHolder, type ReloadResult } from './policy-holder.ts';
import { ReplyRouter } from './routing/reply-router.ts';
import { startGrpcServer } from './transport/grpc-server.ts';
import { SecurityEvents } from './transport/security-events.ts';
import { unary, unaryService, type UnaryEdge } from './transport/unary.ts';

export interface RunningNode {
  config: Readonly<NodeConfig>;
  port: number;
  policy(): Policy;
  /** Validates the policy folder whole and puts it in force, or refuses it and keeps the old one. */
  reloadPolicy(): Promise<ReloadResult>;
  consents: ConsentLog;
  /** This node's metrics (security events among them), for a Prometheus scrape. */
  metrics: Registry;
  stop(): Promise<void>;
}

/**
 * Starts an exchange node: loads and validates config and policy (refusing to
 * start on any error), creates its Kafka topics, rebuilds the consent view from
 * the consent topic, joins its reply topic, then serves gRPC and reports
 * SERVING on health.
 */
export async function startNode(explicit: Partial<NodeConfig>, log: Logger = createLogger('xhub-node')): Promise<RunningNode> {
  const config = loadNodeConfig(explicit);
  const policy = await loadPolicy(config.policiesDir);
  const hubKey = await loadSigningKeyFile(config.hubKeyFile);
  if (!policy.keys.find('hub', hubKey.kid)) {
    throw new HubError('ERR_CONFIG_INVALID', `hub key "${hubKey.kid}" is not in the policy's hub.json JWKS: connectors could not verify this node`);
  }
  const pseudonyms = await Pseudonymiser.fromFile(config.pseudonymKeyFile);
  const nodeLog = log.child({ nodeId: config.nodeId });
  const topics = topicNames(config.topicPrefix);
  const kafka = createKafka(config.kafkaBrokers, `xhub-node-${config.nodeId}`, nodeLog);
  const opened = new Closer();
  try {
    return await open(config, { policy, hubKey, pseudonyms, kafka, topics, log: nodeLog, opened });
  } catch (error) {
    await opened.closeAll();
    throw error;
  }
}

interface Parts {
  policy: Policy;
  hubKey: SigningKey;
  pseudonyms: Pseudonymiser;
  kafka: Kafka;
  topics: TopicNames;
  log: Logger;
  opened: Closer;
}

/** Opens every part of the node in order, registering how to close each in `opened`. */
async function open(config: Readonly<NodeConfig>, { policy, hubKey, pseudonyms, kafka, topics, log: nodeLog, opened }: Parts): Promise<RunningNode> {
  const admin = kafka.admin();
  await admin.connect().catch((cause: unknown) => {
    throw new HubError('ERR_KAFKA_UNAVAILABLE', `cannot reach Kafka at ${config.kafkaBrokers.join(',')}`, { cause });
  });
  opened.add(() => admin.disconnect());
  const layout = { partitions: config.topicPartitions, replicationFactor: config.replicationFactor };
  const replyTopic = topics.replies(config.nodeId);
  await ensureTopics(admin, [
    ...providerTopics(policy, topics, layout),
    ...topicSpecs([replyTopic], 'replies', layout),
    ...topicSpecs([topics.deadLetter()], 'dead-letter', layout),
    ...topicSpecs([topics.consentEvents()], 'history', layout),
    ...topicSpecs([topics.audit(), topics.auditCheckpoints()], 'log', layout),
  ]);
  await assertHistoryTopic(admin, topics.audit(), Math.min(2, config.replicationFactor));

  const { producer, disconnect } = await connectProducer(kafka);
  opened.add(disconnect);
  const audit = new AuditWriter(producer, topics.audit(), config.nodeId);
  if (!config.auditSequencer) nodeLog.info('audit sequencer off on this node: checkpoints are signed by a node with auditSequencer on');
  if (config.auditSequencer) {
    const sequencer = new Sequencer({
      kafka,
      producer,
      auditTopic: topics.audit(),
      checkpointTopic: topics.auditCheckpoints(),
      groupId: `${config.topicPrefix}audit-sequencer`,
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
    // A checkpoint is due every checkpointIntervalMs while entries arrive; twenty missed means no sequencer is at work.
    const verifier = verifierOf(noteSigner(config.auditOrigin, KeyObject.from(hubKey.key)));
    const indexer = new AuditIndexer(kafka, index, { audit: topics.audit(), checkpoints: topics.auditCheckpoints() }, { verifier, origin: config.auditOrigin }, nodeLog, 20 * config.checkpointIntervalMs);
    opened.add(() => indexer.stop());
    await indexer.start();
  }
  const consents = new ConsentLog({ kafka, producer, topic: topics.consentEvents(), deadLetterTopic: topics.deadLetter(), nodeId: config.nodeId, log: nodeLog, lagToleranceMs: config.consentLagToleranceMs });
  opened.add(() => consents.stop());
  await consents.start();
  const router = new ReplyRouter({ kafka, producer, replyTopic, deadLetterTopic: topics.deadLetter(), nodeId: config.nodeId, partitions: config.topicPartitions, groupId: `${config.topicPrefix}node.${config.nodeId}`, keys: () => policies.current().keys, log: nodeLog });
  opened.add(() => router.stop());
  await router.start();
  // A reloaded policy may name new providers: their topics exist before it decides.
  const policies = new PolicyHolder(policy, (next) => ensureTopics(admin, providerTopics(next, topics, layout)), nodeLog);
  opened.add(() => policies.close());
  const reloaded = (result: ReloadResult) =>
    audit
      .append({ kind: 'policy-reloaded', actor: config.nodeId, decision: result.ok ? 'permit' : 'deny', detail: result.ok ? `${result.policy.agreements.length} agreements` : `refused: ${result.issues.length} issues` })
      .catch((error: unknown) => nodeLog.error({ err: error }, 'audit entry for a policy reload could not be written'));
  if (config.watchPolicies) policies.watch((result) => void reloaded(result));

  const replay = new ReplayGuard();
  opened.add(() => replay.close());
  const idempotency = new IdempotencyStore<RequestRecordResponse>(config.idempotencyTtlMs);
  opened.add(() => idempotency.close());
  const auth = { audience: config.nodeId, maxLifetimeSec: config.maxTokenLifetimeSec, clockSkewSec: config.clockSkewSec };
  const deps: ExchangeDeps = {
    nodeId: config.nodeId,
    policy: () => policies.current(),
    hubKey,
    router,
    topics,
    replyTopic,
    idempotency,
    consents,
    pseudonyms,
    audit,
    replay,
    auth,
    timeouts: { defaultMs: config.defaultTimeoutMs, maxMs: config.maxTimeoutMs },
    log: nodeLog,
  };
  const exchange = exchangeService();
  const consent = consentService();
  const auditApi = auditService();
  const auditImpl = auditHandlers({ policy: () => policies.current(), index: auditIndex, nodeId: config.nodeId, pseudonyms, replay, auth });
  const consentApi = consentHandlers({ policy: () => policies.current(), consents, pseudonyms, hubKey, replay, auth, audit, log: nodeLog });
  const metrics = new Registry();
  const edge: UnaryEdge = { log: nodeLog, security: new SecurityEvents(metrics, nodeLog, audit) };
  const transport = config.tls ? { tls: config.tls } : ({ insecure: true } as const);
  const server = await startGrpcServer(config.listen, transport, [
    {
      name: 'xhub.exchange.v1.Exchange',
      definition: exchange.definition,
      service: exchange.Client.service,
      handlers: { RequestRecord: unary((ctx, request) => requestRecord(deps, ctx, request as never), edge) },
    },
    {
      name: 'xhub.consent.v1.Consent',
      definition: consent.definition,
      service: consent.Client.service,
      handlers: unaryService(consentApi, edge),
    },
    {
      name: 'xhub.audit.v1.Audit',
      definition: auditApi.definition,
      service: auditApi.Client.service,
      handlers: unaryService(auditImpl, edge),
    },
  ]);
  opened.add(() => server.stop());
  server.setServing(true);
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
    metrics,
    async stop() {
      server.setServing(false);
      const errors = await opened.closeAll();
      for (const error of errors) nodeLog.warn({ err: error }, 'error while stopping');
      nodeLog.info('exchange node stopped');
    },
  };
}

function providerTopics(policy: Policy, topics: TopicNames, layout: TopicLayout) {
  const providers = [...new Set([...policy.recordTypes.values()].map((r) => r.provider))];
  return topicSpecs(providers.map((p) => topics.requests(p)), 'requests', layout);
}

