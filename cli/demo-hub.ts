import type { SecuredKafka } from '../lib/kafka/broker-source.ts';
import { createKafka } from '../lib/kafka/client.ts';
import type { KafkaConnectionSettings } from '../lib/kafka/connection.ts';
import { connectorPrincipal, KAFKA_ADMIN, KAFKA_SEQUENCER, nodePrincipal } from '../lib/kafka/principals.ts';
import { provisionHub } from '../lib/kafka/provision.ts';
import type { TopicLayout } from '../lib/kafka/topics.ts';
import type { Logger } from '../lib/log.ts';
import { policyMembers, type DemoLayout } from './demo-setup.ts';

/** The Kafka keys of a node's config on a broker the project started: its own principal, and the sequencer's. */
export function nodeKafkaSettings(kafka: SecuredKafka, nodeId: string): KafkaConnectionSettings & { kafkaSequencerCredentialsFile: string } {
  return {
    kafkaBrokers: kafka.brokers,
    kafkaCaFile: kafka.caFile,
    kafkaCredentialsFile: kafka.credentialsFile(nodePrincipal(nodeId)),
    kafkaSequencerCredentialsFile: kafka.credentialsFile(KAFKA_SEQUENCER),
  };
}

/** The Kafka keys of a provider connector's config: its own principal only. */
export function connectorKafkaSettings(kafka: SecuredKafka, agency: string): KafkaConnectionSettings {
  return { kafkaBrokers: kafka.brokers, kafkaCaFile: kafka.caFile, kafkaCredentialsFile: kafka.credentialsFile(connectorPrincipal(agency)) };
}

/** Creates the demo hub's topics and ACLs under `prefix`, as the admin, before any node or connector starts. */
export async function provisionDemoHub(kafka: SecuredKafka, demo: DemoLayout, prefix: string, log: Logger, layout: TopicLayout = { partitions: 3, replicationFactor: 1 }): Promise<void> {
  const admin = createKafka(kafka.connection(KAFKA_ADMIN), 'xhub-provision', log).admin();
  await admin.connect();
  try {
    await provisionHub(admin, prefix, policyMembers(demo.policiesDir), layout, log);
  } finally {
    await admin.disconnect();
  }
}
