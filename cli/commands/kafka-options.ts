import type { Command } from 'commander';
import type { Kafka } from 'kafkajs';
import { createKafka } from '../../lib/kafka/client.ts';
import { resolveKafkaConnection } from '../../lib/kafka/connection.ts';
import { createLogger } from '../../lib/log.ts';

/** Kafka flags of a CLI command that connects as one principal (flags first, then the environment). */
export interface KafkaCliOptions {
  brokers?: string;
  kafkaCa?: string;
  kafkaCredentials?: string;
}

export function kafkaCliOptions(command: Command, principal: string): Command {
  return command
    .option('--brokers <list>', 'Kafka brokers (default KAFKA_BROKERS)')
    .option('--kafka-ca <file>', 'CA of the brokers (default KAFKA_CA_FILE)')
    .option('--kafka-credentials <file>', `the ${principal} principal's credentials file (default KAFKA_CREDENTIALS_FILE)`);
}

/** A kafkajs client from those flags: TLS and SASL required, plaintext only with KAFKA_INSECURE=true on loopback. */
export function kafkaFromCli(o: KafkaCliOptions, who: string, env: NodeJS.ProcessEnv = process.env): Kafka {
  const brokers = (o.brokers ?? env.KAFKA_BROKERS ?? '').split(',').map((b) => b.trim()).filter(Boolean);
  if (brokers.length === 0) throw new Error(`${who}: give --brokers or KAFKA_BROKERS`);
  const connection = resolveKafkaConnection(
    { kafkaBrokers: brokers, kafkaCaFile: o.kafkaCa ?? env.KAFKA_CA_FILE, kafkaCredentialsFile: o.kafkaCredentials ?? env.KAFKA_CREDENTIALS_FILE, kafkaInsecure: env.KAFKA_INSECURE === 'true' },
    who,
  );
  return createKafka(connection, who.replace(/\s+/g, '-'), createLogger(who, 'error'));
}
