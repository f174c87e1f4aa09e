import { Partitioners, type Kafka } from 'kafkajs';
import { BatchingProducer } from './batching-producer.ts';

/** The hub's producer settings: idempotent, acks=all, one request in flight. */
export async function connectProducer(kafka: Kafka): Promise<{ producer: BatchingProducer; disconnect: () => Promise<void> }> {
  const raw = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    // Idempotence needs unbounded retries; callers are bounded by their deadlines.
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 5_000 },
  });
  await raw.connect();
  const producer = new BatchingProducer(raw);
  return {
    producer,
    disconnect: async () => {
      await producer.flush();
      await raw.disconnect();
    },
  };
}
