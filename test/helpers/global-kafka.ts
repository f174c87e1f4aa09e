import type { TestProject } from 'vitest/node';
import { acquireKafka, type KafkaHandle } from '../../lib/kafka/broker-source.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string[];
  }
}

let kafka: KafkaHandle | undefined;

/** One real Kafka broker for the whole run: KAFKA_BROKERS, Docker, or the local jars. */
export async function setup(project: TestProject): Promise<void> {
  kafka = await acquireKafka((line) => console.log(`[kafka] ${line}`));
  project.provide('kafkaBrokers', kafka.brokers);
}

export async function teardown(): Promise<void> {
  await kafka?.stop();
}
