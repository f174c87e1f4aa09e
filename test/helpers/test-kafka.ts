import type { Kafka } from 'kafkajs';
import { inject } from 'vitest';
import { createKafka } from '../../lib/kafka/client.ts';
import { resolveKafkaConnection, type KafkaConnection, type KafkaConnectionSettings } from '../../lib/kafka/connection.ts';
import type { SecuredKafka } from '../../lib/kafka/broker-source.ts';
import { KAFKA_ADMIN } from '../../lib/kafka/principals.ts';
import { createLogger } from '../../lib/log.ts';

/** The config keys with which a component reaches the shared test broker as `principal`. */
export function kafkaSettings(principal: string): Required<Omit<KafkaConnectionSettings, 'kafkaInsecure'>> {
  const { brokers, caFile, credentialsFiles } = inject('kafka');
  const kafkaCredentialsFile = credentialsFiles[principal];
  if (!kafkaCredentialsFile) throw new Error(`the test broker has no principal ${principal}`);
  return { kafkaBrokers: brokers, kafkaCaFile: caFile, kafkaCredentialsFile };
}

export function kafkaConnection(principal: string, target: TestKafkaTarget = sharedTestKafka): KafkaConnection {
  return resolveKafkaConnection(target.settings(principal), 'test');
}

/** A kafkajs client of the shared test broker (or `target`), as `principal` (the admin, a super user, by default). */
export function testKafka(principal: string = KAFKA_ADMIN, clientId = 'test', target: TestKafkaTarget = sharedTestKafka): Kafka {
  return createKafka(kafkaConnection(principal, target), clientId, createLogger('test', 'silent'));
}

/** The Kafka a hub fixture runs on: the shared test broker, unless a test brings its own (a cluster). */
export interface TestKafkaTarget {
  settings(principal: string): Required<Omit<KafkaConnectionSettings, 'kafkaInsecure'>>;
  /** Replication factor of the hub's topics there (the node checks its topics against it). */
  replicationFactor: number;
}

export const sharedTestKafka: TestKafkaTarget = { settings: kafkaSettings, replicationFactor: 1 };

/** A Kafka the test started itself, e.g. a local cluster; topics get min(3, nodes) replicas. */
export function ownTestKafka(kafka: SecuredKafka, nodes: number): TestKafkaTarget {
  return {
    settings: (principal) => ({ kafkaBrokers: kafka.brokers, kafkaCaFile: kafka.caFile, kafkaCredentialsFile: kafka.credentialsFile(principal) }),
    replicationFactor: Math.min(3, nodes),
  };
}
