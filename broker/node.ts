import { loadSigningKeyFile } from '../lib/crypto/keys.ts';
import { HubError } from '../lib/errors/hub-error.ts';
import { createKafka } from '../lib/kafka/client.ts';
import { connectProducer } from '../lib/kafka/producer.ts';
import { ensureTopics, topicNames, topicSpecs } from '../lib/kafka/topics.ts';
import { createLogger, type Logger } from '../lib/log.ts';
import type { RequestRecordResponse } from '../lib/proto.ts';
import { ReplayGuard } from '../lib/replay-guard.ts';
import { loadPolicy } from '../policies/policy-loader.ts';
import type { Policy } from '../policies/policy.types.ts';
import { loadNodeConfig, type NodeConfig } from './config.ts';
import { requestRecord, type ExchangeDeps } from './exchange/request-record.ts';
import { IdempotencyStore } from './idempotency/idempotency-store.ts';
import { ReplyRouter } from './routing/reply-router.ts';
import { EXCHANGE_SERVICE_NAME, startGrpcServer } from './transport/grpc-server.ts';

export interface RunningNode {
  config: Readonly<NodeConfig>;
  port: number;
  policy(): Policy;
  stop(): Promise<void>;
}

/**
 * Starts an exchange node: loads and validates config and policy (refusing to
 * start on any error), creates its Kafka topics, joins its reply topic, then
 * serves gRPC and reports SERVING on health.
 */
export async function startNode(explicit: Partial<NodeConfig>, log: Logger = createLogger('xhub-node')): Promise<RunningNode> {
  const config = loadNodeConfig(explicit);
  const policy = await loadPolicy(config.policiesDir);
  const hubKey = await loadSigningKeyFile(config.hubKeyFile);
  if (!policy.keys.find('hub', hubKey.kid)) {
    throw new HubError('ERR_CONFIG_INVALID', `hub key "${hubKey.kid}" is not in the policy's hub.json JWKS: connectors could not verify this node`);
  }
  const nodeLog = log.child({ nodeId: config.nodeId });
  const topics = topicNames(config.topicPrefix);
  const kafka = createKafka(config.kafkaBrokers, `xhub-node-${config.nodeId}`, nodeLog);
  const admin = kafka.admin();
  await admin.connect().catch((cause: unknown) => {
    throw new HubError('ERR_KAFKA_UNAVAILABLE', `cannot reach Kafka at ${config.kafkaBrokers.join(',')}`, { cause });
  });
  const layout = { partitions: config.topicPartitions, replicationFactor: config.replicationFactor };
  const providers = [...new Set([...policy.recordTypes.values()].map((r) => r.provider))];
  const replyTopic = topics.replies(config.nodeId);
  await ensureTopics(admin, [
    ...topicSpecs(providers.map((p) => topics.requests(p)), 'requests', layout),
    ...topicSpecs([replyTopic], 'replies', layout),
    ...topicSpecs([topics.deadLetter()], 'dead-letter', layout),
  ]);
  await admin.disconnect();

  const { producer, disconnect } = await connectProducer(kafka);
  const router = new ReplyRouter({ kafka, producer, replyTopic, groupId: `${config.topicPrefix}node.${config.nodeId}`, keys: () => policy.keys, log: nodeLog });
  await router.start();
  const replay = new ReplayGuard();
  const idempotency = new IdempotencyStore<RequestRecordResponse>(config.idempotencyTtlMs);
  const deps: ExchangeDeps = {
    nodeId: config.nodeId,
    policy: () => policy,
    hubKey,
    router,
    topics,
    replyTopic,
    idempotency,
    replay,
    auth: { audience: config.nodeId, maxLifetimeSec: config.maxTokenLifetimeSec, clockSkewSec: config.clockSkewSec },
    timeouts: { defaultMs: config.defaultTimeoutMs, maxMs: config.maxTimeoutMs },
    log: nodeLog,
  };
  const server = await startGrpcServer(config.listen, (metadata, request, deadline) => requestRecord(deps, metadata, request, deadline), nodeLog);
  server.health.setStatus('', 'SERVING');
  server.health.setStatus(EXCHANGE_SERVICE_NAME, 'SERVING');
  nodeLog.info({ port: server.port, providers: providers.length }, 'exchange node serving');

  return {
    config,
    port: server.port,
    policy: () => policy,
    async stop() {
      server.health.setStatus('', 'NOT_SERVING');
      server.health.setStatus(EXCHANGE_SERVICE_NAME, 'NOT_SERVING');
      await server.stop();
      await router.stop();
      await disconnect();
      replay.close();
      idempotency.close();
      nodeLog.info('exchange node stopped');
    },
  };
}
