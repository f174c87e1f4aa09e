// Baseline (a), responder side: answers every request on the reply topic, in its own process like a connector.
import { createKafka } from '../../lib/kafka/client.ts';
import { resolveKafkaConnection } from '../../lib/kafka/connection.ts';
import { connectProducer } from '../../lib/kafka/producer.ts';
import { createLogger } from '../../lib/log.ts';
import { LONG_POLL_MS } from '../../lib/kafka/long-poll.ts';

const [brokers, requests, replies, group, partitions] = process.argv.slice(2) as [string, string, string, string, string];
// Same security as the hub: TLS and SASL/SCRAM (KAFKA_CA_FILE, KAFKA_CREDENTIALS_FILE from the parent).
const connection = resolveKafkaConnection({ kafkaBrokers: brokers.split(','), kafkaCaFile: process.env.KAFKA_CA_FILE, kafkaCredentialsFile: process.env.KAFKA_CREDENTIALS_FILE }, 'responder');
const kafka = createKafka(connection, 'baseline-responder', createLogger('responder', 'warn'));
const { producer, disconnect } = await connectProducer(kafka);
const consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: LONG_POLL_MS });
await consumer.connect();
await consumer.subscribe({ topic: requests, fromBeginning: true });
const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
await consumer.run({
  partitionsConsumedConcurrently: Number(partitions),
  // The connector's commit policy: kafkajs's auto-commit after every batch.
  eachBatch: async (payload) => {
    const { batch } = payload;
    await Promise.all(batch.messages.map((m) => producer.send(replies, { key: m.key, value: m.value, headers: { id: String(m.headers?.id ?? '') } })));
    const last = batch.messages.at(-1);
    if (last) payload.resolveOffset(last.offset);
    await payload.heartbeat();
  },
});
await joined;
process.stdout.write('responder ready\n');
process.on('SIGTERM', () => void consumer.disconnect().then(disconnect).then(() => process.exit(0)));
