// The responder of the request-reply workload, in its own process like a connector:
// answers every request on the reply topic with the client under test, committing after each batch.
// Usage (from bench/kafka-clients.ts): responder-main.ts <client> <brokers> <requests> <replies> <group> <partitions>
import { resolveKafkaConnection } from '../../lib/kafka/connection.ts';
import { loadClient, type ClientName } from './messaging.ts';

const [name, brokers, requests, replies, group, partitions] = process.argv.slice(2) as [
  ClientName,
  string,
  string,
  string,
  string,
  string,
];
// Same security as the hub: TLS and SASL/SCRAM (KAFKA_CA_FILE, KAFKA_CREDENTIALS_FILE from the parent).
const connection = resolveKafkaConnection(
  {
    kafkaBrokers: brokers.split(','),
    kafkaCaFile: process.env.KAFKA_CA_FILE,
    kafkaCredentialsFile: process.env.KAFKA_CREDENTIALS_FILE,
  },
  'responder',
);
const client = await loadClient(name, connection, `bench-${name}-responder`);
if ('missing' in client) throw new Error(client.missing);
const producer = await client.producer();
const consumer = await client.consume({
  topic: requests,
  groupId: group,
  partitions: Number(partitions),
  commit: 'after-batch',
  onBatch: (batch) => producer.send(replies, batch),
});
await consumer.ready;
process.stdout.write('responder ready\n');
process.on('SIGTERM', () => void client.close().then(() => process.exit(0)));
