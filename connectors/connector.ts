import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { Registry } from 'prom-client';
import { HubError } from '../lib/errors/hub-error.ts';
import { Closer } from '../lib/closer.ts';
import { loadSigningKeyFile } from '../lib/crypto/keys.ts';
import { createKafka } from '../lib/kafka/client.ts';
import { resolveKafkaConnection } from '../lib/kafka/connection.ts';
import { groupNames, requireTopics } from '../lib/kafka/provision.ts';
import { observeDeadLetters, sendDeadLetter } from '../lib/kafka/dead-letter.ts';
import { startAdminListener } from '../lib/metrics/admin-server.ts';
import { createHubMetrics } from '../lib/metrics/hub-metrics.ts';
import { kafkaReachable, watchConsumerLag } from '../lib/metrics/kafka-metrics.ts';
import { connectProducer } from '../lib/kafka/producer.ts';
import { topicNames } from '../lib/kafka/topics.ts';
import { createLogger, type Logger } from '../lib/log.ts';
import { ReplayGuard } from '../lib/replay-guard.ts';
import { loadPolicy } from '../policies/policy-loader.ts';
import { openBackend } from './backends/open-backend.ts';
import { measureBackend } from './backends/backend-metrics.ts';
import type { Backend } from './backends/backend.types.ts';
import { loadConnectorConfig, type ConnectorConfig } from './config.ts';
import { handleRequest, type HandlerDeps } from './handle-request.ts';
import { handleBulkRequest } from './handle-bulk.ts';
import { BULK_HEADER } from '../lib/envelope/bulk/bulk.types.ts';
import { LONG_POLL_MS } from '../lib/kafka/long-poll.ts';
import { inWindow } from '../lib/kafka/in-window.ts';
import { SupervisedConsumer } from '../lib/kafka/supervised-consumer.ts';
import { EXCHANGE_ID_HEADER } from '../lib/envelope/envelope.types.ts';

export interface RunningConnector {
  config: Readonly<ConnectorConfig>;
  /** This connector's metrics (consumer lag, producer queue, dead letters, runtime), for a Prometheus scrape. */
  metrics: Registry;
  /** Port of the admin listener (/metrics, /healthz, /readyz); undefined when adminListen is off. */
  adminPort: number | undefined;
  stop(): Promise<void>;
}

/**
 * The provider agency's sidecar: consumes the agency's request topic (one
 * consumer group per agency), answers each request on the hub's reply topic,
 * and commits a message's offset only after its reply (or dead letter) is
 * acknowledged by Kafka — so a stopped connector loses nothing.
 */
export async function startConnector(
  explicit: Partial<ConnectorConfig>,
  options: { log?: Logger; backend?: Backend } = {},
): Promise<RunningConnector> {
  const config = loadConnectorConfig(explicit);
  const policy = await loadPolicy(config.policiesDir);
  const agency = policy.agencies.get(config.agencyId);
  if (!agency?.roles.includes('provider')) {
    throw new HubError('ERR_CONFIG_INVALID', `agency ${config.agencyId} is not a provider in the policy`);
  }
  const key = await loadSigningKeyFile(config.privateKeyFile);
  if (!policy.keys.find(config.agencyId, key.kid)) {
    throw new HubError(
      'ERR_CONFIG_INVALID',
      `key "${key.kid}" is not in ${config.agencyId}'s JWKS: the hub could not verify this connector`,
    );
  }
  const log = (options.log ?? createLogger('xhub-connector')).child({ agency: config.agencyId });
  const topics = topicNames(config.topicPrefix);
  const requestTopic = topics.requests(config.agencyId);
  const kafka = createKafka(resolveKafkaConnection(config, 'connector'), `xhub-connector-${config.agencyId}`, log);
  // The backend first: it needs no Kafka, so a bad mapping or backend config leaves nothing open.
  const opened = new Closer();
  const own = options.backend ? undefined : await openBackend(config, policy);
  if (own) opened.add(() => own.close());
  const backend = options.backend ?? own!;
  // The connector may not create topics: the hub's admin provisions them.
  const admin = kafka.admin();
  try {
    await admin.connect().catch((cause: unknown) => {
      throw new HubError('ERR_KAFKA_UNAVAILABLE', `cannot reach Kafka at ${config.kafkaBrokers.join(',')}: ${(cause as Error).message}`, { cause });
    });
    try {
      await requireTopics(admin, [requestTopic, topics.deadLetter()]);
    } finally {
      await admin.disconnect();
    }
  } catch (error) {
    await opened.closeAll();
    throw error;
  }

  // What is opened is closed in reverse on stop, and when start-up fails half-way.
  const { producer, disconnect } = await connectProducer(kafka).catch(async (error: unknown) => {
    await opened.closeAll();
    throw error;
  });
  opened.add(disconnect);
  const metrics = createHubMetrics();
  metrics.watchProducerQueue('connector', () => producer.queued);
  observeDeadLetters(producer, (reason) => metrics.deadLetters.inc({ reason }));
  const replay = new ReplayGuard();
  opened.add(() => replay.close());
  const measured = measureBackend(backend, metrics.registry, () => own?.breakerState());
  const deps: HandlerDeps = { agencyId: config.agencyId, key, policy, backend: measured, replay, replyTopicPrefix: topics.replies('') };

  const processOne = async (message: KafkaMessage, partition: number): Promise<void> => {
    // The header only picks the parser: each handler checks the JWS typ it expects, so a wrong header is refused.
    const value = message.value?.toString() ?? '';
    const handled = message.headers?.[BULK_HEADER] ? await handleBulkRequest(deps, value) : await handleRequest(deps, value);
    if (handled.kind === 'reply') {
      try {
        await producer.send(handled.topic, {
          key: message.key,
          value: handled.jws,
          headers: { [EXCHANGE_ID_HEADER]: handled.exchangeId, ...(message.headers?.[BULK_HEADER] ? { [BULK_HEADER]: '1' } : {}) },
        });
      } catch (error) {
        replay.forget(handled.exchangeId);
        throw error;
      }
      // Errors at info; a successful answer only at debug (the hub's audit log has every one).
      if (handled.code) log.info({ exchangeId: handled.exchangeId, code: handled.code }, 'answered with an error');
      else log.debug({ exchangeId: handled.exchangeId }, 'record sent');
    } else if (handled.kind === 'skip') {
      log.info({ code: handled.code, offset: message.offset }, 'request skipped');
    } else {
      log.warn(
        { code: handled.code, partition, offset: message.offset },
        `request dead-lettered: ${handled.message}`,
      );
      await sendDeadLetter(producer, topics.deadLetter(), {
        code: handled.code,
        message: handled.message,
        source: { topic: requestTopic, partition, offset: message.offset },
        by: `connector:${config.agencyId}`,
        value: message.value,
      });
    }
  };

  const groupId = groupNames(config.topicPrefix).connector(config.agencyId);
  const consumer = new SupervisedConsumer({
    name: `requests.${config.agencyId}`,
    log,
    create: () => {
      const c = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: LONG_POLL_MS });
      watchConsumerLag(c, metrics, groupId);
      return c;
    },
    begin: consume,
  });
  opened.add(() => consumer.stop());
  // The connector's policy is loaded once, at start (it refused to start without one).
  const readiness = { kafka: kafkaReachable(admin), consumer: () => consumer.lastingProblem(), policy: () => undefined };
  let adminPort: number | undefined;
  const stop = async () => {
    for (const error of await opened.closeAll()) log.warn({ err: error }, 'connector stop step failed');
  };
  try {
    await consumer.start();
    await admin.connect();
    opened.add(() => admin.disconnect());
    const adminServer = await startAdminListener(config, metrics.registry, readiness, log);
    if (adminServer) opened.add(() => adminServer.close());
    adminPort = adminServer?.port;
  } catch (error) {
    // A half-started connector leaves no connection behind.
    await opened.closeAll();
    throw error;
  }
  log.info({ topic: requestTopic }, 'connector consuming');
  return {
    config,
    metrics: metrics.registry,
    adminPort,
    async stop() {
      await stop();
      log.info('connector stopped');
    },
  };

  async function consume(consumer: Consumer): Promise<void> {
    await consumer.connect();
    await consumer.subscribe({ topic: requestTopic, fromBeginning: true });
    await consumer.run({
      // Each partition's batches are independent: process them side by side.
      partitionsConsumedConcurrently: config.topicPartitions,
      // kafkajs's auto-commit: resolved offsets are committed after every batch
      // and on a rebalance, so a clean stop or a handover re-reads nothing. (Less
      // frequent commits saved the broker little and re-read answered requests
      // after every rebalance.)
      eachBatchAutoResolve: false,
      eachBatch: async (payload: EachBatchPayload) => {
        const { batch } = payload;
        // Up to `concurrency` requests in flight, the next starting as soon as any is answered: a
        // slow request holds one slot, not the requests behind it. An offset is resolved (and
        // committed after the batch) only once every request up to it has been answered; after a
        // failure the rest is let finish before the batch fails, so a redelivery never races an
        // answer still in flight.
        // Requests can take as long as a deadline: keep the group membership alive meanwhile
        // (kafkajs only heartbeats when asked). A failed heartbeat (a rebalance) stops new
        // requests starting and fails the batch once those in flight are answered, so the
        // consumer rejoins instead of being thrown out of the group for running over.
        let beatFailed: { error: unknown } | undefined;
        const beat = setInterval(() => void payload.heartbeat().catch((error: unknown) => (beatFailed ??= { error })), 1_000);
        try {
          await inWindow(batch.messages, config.concurrency, (m) => processOne(m, batch.partition), {
            keepGoing: () => payload.isRunning() && !payload.isStale() && !beatFailed,
            done: (last) => payload.resolveOffset(batch.messages[last]!.offset),
          });
        } finally {
          clearInterval(beat);
        }
        if (beatFailed) throw beatFailed.error;
        await payload.heartbeat();
      },
    });
  }
}
