import { join } from 'node:path';
import type { KafkaConnection } from './connection.ts';
import { readKafkaCredentials } from './connection.ts';
import { startLocalBroker } from './local-broker.ts';
import { readFileSync } from 'node:fs';

/** A secured Kafka the project can hand out credentials for. */
export interface SecuredKafka {
  brokers: string[];
  /** PEM file of the CA the brokers' certificates chain to. */
  caFile: string;
  /** The credentials file of a principal (JSON {"username","password"}, mode 0600). */
  credentialsFile(principal: string): string;
  /** How a principal connects: TLS plus SASL/SCRAM as itself. */
  connection(principal: string): KafkaConnection;
}

export interface KafkaHandle extends SecuredKafka {
  source: 'env' | 'local';
  /** The broker's process id when it runs on this machine as a local process. */
  readonly pid?: number | undefined;
  stop(): Promise<void>;
}

/**
 * Where the hub and the tests get a secured broker: KAFKA_BROKERS with
 * KAFKA_CA_FILE and XHUB_KAFKA_CREDENTIALS_DIR (one <principal>.json per
 * principal, the admin's included) if set; else the official Apache Kafka
 * jars started locally with SASL_SSL, SCRAM users for `principals` and ACLs
 * enforced.
 */
export async function acquireKafka(principals: string[], onProgress: (line: string) => void = () => {}): Promise<KafkaHandle> {
  const fromEnv = process.env.KAFKA_BROKERS?.split(',').map((s) => s.trim()).filter(Boolean);
  if (fromEnv && fromEnv.length > 0) {
    const caFile = process.env.KAFKA_CA_FILE;
    const dir = process.env.XHUB_KAFKA_CREDENTIALS_DIR;
    if (!caFile || !dir) throw new Error('KAFKA_BROKERS needs KAFKA_CA_FILE and XHUB_KAFKA_CREDENTIALS_DIR (a folder with <principal>.json for admin, sequencer, audit-reader, node.<id>, connector.<agency>)');
    onProgress(`using Kafka at ${fromEnv.join(',')} (KAFKA_BROKERS)`);
    const credentialsFile = (principal: string) => join(dir, `${principal}.json`);
    const ca = readFileSync(caFile, 'utf8');
    return {
      brokers: fromEnv,
      source: 'env',
      caFile,
      credentialsFile,
      connection: (principal) => ({ brokers: fromEnv, ca, credentials: readKafkaCredentials(credentialsFile(principal)) }),
      stop: async () => {},
    };
  }
  const local = await startLocalBroker({ principals, onProgress });
  return {
    brokers: local.brokers,
    source: 'local',
    caFile: local.caFile,
    credentialsFile: (p) => local.credentialsFile(p),
    connection: (p) => local.connection(p),
    get pid() {
      return local.pid;
    },
    stop: () => local.stop(),
  };
}
