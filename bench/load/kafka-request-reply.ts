import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { connectProducer } from '../../lib/kafka/producer.ts';
import { ensureTopics, topicSpecs } from '../../lib/kafka/topics.ts';
import { startChild } from './processes.ts';
import { LONG_POLL_MS } from '../../lib/kafka/long-poll.ts';

/**
 * Baseline (a): plain kafkajs request-reply with the hub's durability settings
 * (idempotent, acks=all, batched producers, consumer groups): produce a
 * request, a responder process answers on a reply topic, the reply is
 * consumed. No authentication, policy, signing or audit.
 */
export async function startRequestReply(kafka: Kafka, brokers: string[], prefix: string, partitions: number, security: { caFile: string; credentialsFile: string }) {
  const requests = `${prefix}baseline.requests`;
  const replies = `${prefix}baseline.replies`;
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, topicSpecs([requests, replies], 'requests', { partitions, replicationFactor: 1 }));
  await admin.disconnect();
  const responder = await startChild(['bench/load/responder-main.ts', brokers.join(','), requests, replies, `${prefix}baseline.responder`, String(partitions)], 'responder ready', {
    KAFKA_CA_FILE: security.caFile,
    KAFKA_CREDENTIALS_FILE: security.credentialsFile,
  });

  const pending = new Map<string, () => void>();
  const requester = await connectProducer(kafka);
  const replyConsumer = kafka.consumer({ groupId: `${prefix}baseline.requester`, maxWaitTimeInMs: LONG_POLL_MS });
  await replyConsumer.connect();
  await replyConsumer.subscribe({ topic: replies, fromBeginning: true });
  const joined = new Promise<void>((resolve) => replyConsumer.on(replyConsumer.events.GROUP_JOIN, () => resolve()));
  await replyConsumer.run({
    partitionsConsumedConcurrently: partitions,
    // The node's reply-topic commit policy: every few seconds.
    autoCommit: false,
    autoCommitInterval: 5_000,
    eachBatch: async (payload) => {
      const { batch } = payload;
      for (const m of batch.messages) {
        const id = m.headers?.id?.toString() ?? '';
        pending.get(id)?.();
        pending.delete(id);
      }
      const last = batch.messages.at(-1);
      if (last) payload.resolveOffset(last.offset);
      await payload.commitOffsetsIfNecessary();
      await payload.heartbeat();
    },
  });
  await joined;

  const payload = 'x'.repeat(900); // about the size of a signed request envelope
  return {
    responderPid: responder.pid,
    call: () =>
      new Promise<void>((resolve, reject) => {
        const id = randomUUID();
        pending.set(id, resolve);
        requester.producer.send(requests, { key: id, value: payload, headers: { id } }).catch(reject);
      }),
    stop: async () => {
      await replyConsumer.disconnect();
      await requester.disconnect();
      await responder.stop();
    },
  };
}
