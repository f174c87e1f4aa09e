import type { Kafka } from 'kafkajs';
import { inject } from 'vitest';
import { createKafka } from '../../lib/kafka/client.ts';
import { resolveKafkaConnection, type KafkaConnection, type KafkaConnectionSettings } from '../../lib/kafka/connection.ts';
import { KAFKA_ADMIN } from '../../lib/kafka/principals.ts';
import { createLogger } from '../../lib/log.ts';

/** The config keys with which a component reaches the shared test broker as `principal`. */
export function kafkaSettings(principal: string): Required<Omit<KafkaConnectionSettings, 'kafkaInsecure'>> {
  const { brokers, caFile, credentialsFiles } = inject('kafka');
  const kafkaCredentialsFile = credentialsFiles[principal];
  if (!kafkaCredentialsFile) throw new Error(`the test broker has no principal ${principal}`);
  return { kafkaBrokers: brokers, kafkaCaFile: caFile, kafkaCredentialsFile };
}

export function kafkaConnection(principal: string): KafkaConnection {
  return resolveKafkaConnection(kafkaSettings(principal), 'test');
}

/** A kafkajs client of the shared test broker, as `principal` (the admin, a super user, by default). */
export function testKafka(principal: string = KAFKA_ADMIN, clientId = 'test'): Kafka {
  return createKafka(kafkaConnection(principal), clientId, createLogger('test', 'silent'));
}
