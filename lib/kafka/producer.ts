import { Partitioners, type ICustomPartitioner, type Kafka, type Message } from 'kafkajs';
import { BatchingProducer } from './batching-producer.ts';
import { kafkajsSendBatch } from './kafkajs-send.ts';

/**
 * The hub's producer settings: idempotent, acks=all, one request in flight.
 * Still kafkajs: @platformatic/kafka measured faster, but its producer stalled
 * for five minutes after a broker kill in `bench/producer-failover.ts` (README,
 * "Kafka client").
 */
export async function connectProducer(kafka: Kafka): Promise<{ producer: BatchingProducer; disconnect: () => Promise<void> }> {
  // kafkajs's default partitioner, noting where it put each message: what the
  // send checks the acknowledgements against (kafkajs#1303).
  const chosen = new WeakMap<Message, number>();
  const createPartitioner: ICustomPartitioner = () => {
    const partition = Partitioners.DefaultPartitioner();
    return (args) => {
      const p = partition(args);
      chosen.set(args.message, p);
      return p;
    };
  };
  const raw = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner,
    // Idempotence needs unbounded retries; callers are bounded by their deadlines.
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 5_000 },
  });
  await raw.connect();
  const producer = new BatchingProducer(kafkajsSendBatch(raw, (message) => chosen.get(message)));
  return {
    producer,
    disconnect: async () => {
      await producer.flush();
      await raw.disconnect();
    },
  };
}
