import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';

/**
 * Reads a single-partition topic from its first message to its end as it was
 * when the call began, in order, and resolves when done. Uses a throwaway
 * consumer group and commits nothing.
 */
export async function readTopic(kafka: Kafka, topic: string, onMessage: (value: Buffer, offset: number) => void, onProgress?: (read: number, total: number) => void): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const end = Number(offsets.find((o) => o.partition === 0)?.high ?? 0);
  if (end === 0) return 0;
  const consumer = kafka.consumer({ groupId: `xhub-reader-${randomUUID()}`, maxWaitTimeInMs: 100, maxBytes: 50 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let read = 0;
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) {
            const offset = Number(message.offset);
            if (offset >= end) continue;
            onMessage(message.value ?? Buffer.alloc(0), offset);
            read = offset + 1;
          }
          onProgress?.(read, end);
          if (read >= end) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return end;
}
