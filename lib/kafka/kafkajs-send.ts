import type { Message, Producer, RecordMetadata, TopicMessages } from 'kafkajs';
import { HubError } from '../errors/hub-error.ts';
import type { OutgoingMessage, SendBatch } from './batching-producer.ts';

/** Which partition the producer's partitioner last chose for a message (see connectProducer). */
export type PartitionOf = (message: Message) => number | undefined;

/** Rounds of re-sending what kafkajs reported sent but never sent, before the batch fails. */
const MAX_RESENDS = 5;

interface Outgoing {
  topic: string;
  message: Message;
}

/**
 * A batch as one kafkajs sendBatch, acks=all. A batch spans several partition
 * leaders, and kafkajs loses part of it when one leader dies (kafkajs#1303):
 * its retry skips every broker that already answered, so the dead leader's
 * partitions, now led by one of those, are never sent, yet sendBatch resolves.
 * Every message's partition is therefore checked against the acknowledgements,
 * and what none covers is sent again. A partition is sent whole or not at all,
 * and kafkajs rolls its sequence numbers back when a send fails, so the second
 * send carries the same sequence numbers: if the dead leader had in fact
 * appended them, the new leader answers "duplicate" instead of writing them twice.
 * `onResent` counts the messages sent again.
 */
export function kafkajsSendBatch(producer: Producer, partitionOf?: PartitionOf, onResent?: (count: number) => void): SendBatch {
  return async (batch) => {
    // One kafkajs message object per record, kept across resends: the partition the partitioner chose is looked up by identity.
    let unsent: Outgoing[] = batch.map(({ topic, message }) => ({ topic, message: toKafkajs(message) }));
    for (let round = 0; ; round++) {
      const acknowledged = await producer.sendBatch({ topicMessages: groupByTopic(unsent), acks: -1 });
      unsent = uncovered(unsent, acknowledged, partitionOf);
      if (unsent.length === 0) return;
      if (round >= MAX_RESENDS) {
        throw new HubError('ERR_KAFKA_UNAVAILABLE', `${unsent.length} messages were never acknowledged by Kafka after ${MAX_RESENDS} attempts (partition leaders changing)`);
      }
      onResent?.(unsent.length);
    }
  };
}

function toKafkajs(m: OutgoingMessage): Message {
  return { key: m.key ?? null, value: m.value, ...(m.headers ? { headers: m.headers } : {}) };
}

/** The messages whose topic and partition no acknowledgement names. */
function uncovered(batch: Outgoing[], acknowledged: RecordMetadata[] | undefined, partitionOf: PartitionOf | undefined): Outgoing[] {
  if (!partitionOf || !acknowledged) return [];
  const covered = new Set(acknowledged.filter((r) => r.errorCode === 0).map((r) => `${r.partition}\u0000${r.topicName}`));
  return batch.filter((p) => {
    const partition = partitionOf(p.message);
    return partition !== undefined && !covered.has(`${partition}\u0000${p.topic}`);
  });
}

function groupByTopic(batch: Outgoing[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const { topic, message } of batch) {
    const list = byTopic.get(topic);
    if (list) list.push(message);
    else byTopic.set(topic, [message]);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
