import type { TestProject } from 'vitest/node';
import { demoPrincipals } from '../../cli/demo-setup.ts';
import { acquireKafka, type KafkaHandle } from '../../lib/kafka/broker-source.ts';

/** What every test file learns of the shared broker: where it is, the CA to trust and each principal's credentials file. */
export interface TestKafkaInfo {
  brokers: string[];
  caFile: string;
  credentialsFiles: Record<string, string>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    kafka: TestKafkaInfo;
  }
}

let kafka: KafkaHandle | undefined;

/**
 * One real Kafka broker for the whole run, secured as production is (TLS,
 * SASL/SCRAM, ACLs): KAFKA_BROKERS with its CA and credentials, or the local jars.
 */
export async function setup(project: TestProject): Promise<void> {
  const principals = demoPrincipals();
  kafka = await acquireKafka(principals, (line) => console.log(`[kafka] ${line}`));
  const handle = kafka;
  project.provide('kafka', { brokers: handle.brokers, caFile: handle.caFile, credentialsFiles: Object.fromEntries(principals.map((p) => [p, handle.credentialsFile(p)])) });
}

export async function teardown(): Promise<void> {
  await kafka?.stop();
}
