import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { PartitionPositions } from '../../lib/kafka/positions.ts';

/**
 * Reads a single-partition topic from its first message to its end as it was
 * when the call began, in order, and resolves when done. Uses a throwaway
 * consumer group under `groupPrefix` (the reader's principal may use only its
 * own groups) and commits nothing. The end is reached when the position —
 * which counts transaction markers and aborted records — reaches the end
 * offset, so such gaps never stall it.
 */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  groupPrefix: string,
  onMessage: (value: Buffer, offset: number) => void,
  onProgress?: (read: number, total: number) => void,
): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const end = Number(offsets.find((o) => o.partition === 0)?.high ?? 0);
  if (end === 0) return 0;
  const consumer = kafka.consumer({ groupId: `${groupPrefix}reader.${randomUUID()}`, maxWaitTimeInMs: 100, maxBytes: 50 * 1024 * 1024 });
  const positions = new PartitionPositions(consumer, topic);
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer.on(consumer.events.END_BATCH_PROCESS, () => {
        const read = Math.min(positions.of(0), end);
        onProgress?.(read, end);
        if (read >= end) resolve();
      });
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const message of batch.messages) {
              const offset = Number(message.offset);
              if (offset < end) onMessage(message.value ?? Buffer.alloc(0), offset);
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return end;
}
