import { existsSync } from 'node:fs';
import { withTimeout } from '../closer.ts';
import { startLocalBroker } from './local-broker.ts';

export interface KafkaHandle {
  brokers: string[];
  source: 'env' | 'docker' | 'local';
  /** The broker's process id when it runs on this machine as a local process. */
  readonly pid?: number | undefined;
  stop(): Promise<void>;
}

/** Confluent's image of Apache Kafka 4.0, for Testcontainers' Kafka module in KRaft mode. */
export const DOCKER_KAFKA_IMAGE = 'confluentinc/cp-kafka:8.0.0';

/**
 * Where the hub and the tests get a broker: KAFKA_BROKERS if set; else a
 * Docker engine if one answers (Testcontainers); else the official Apache
 * Kafka jars started locally.
 */
export async function acquireKafka(onProgress: (line: string) => void = () => {}): Promise<KafkaHandle> {
  const fromEnv = process.env.KAFKA_BROKERS?.split(',').map((s) => s.trim()).filter(Boolean);
  if (fromEnv && fromEnv.length > 0) {
    onProgress(`using Kafka at ${fromEnv.join(',')} (KAFKA_BROKERS)`);
    return { brokers: fromEnv, source: 'env', stop: async () => {} };
  }
  if (await dockerAnswers()) {
    onProgress(`starting Kafka in Docker (${DOCKER_KAFKA_IMAGE}) with Testcontainers`);
    const { KafkaContainer } = await import('@testcontainers/kafka');
    const container = await new KafkaContainer(DOCKER_KAFKA_IMAGE)
      .withKraft()
      .withEnvironment({ KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false' })
      .start();
    return {
      brokers: [`${container.getHost()}:${container.getMappedPort(9093)}`],
      source: 'docker',
      stop: async () => {
        await container.stop();
      },
    };
  }
  const local = await startLocalBroker({ onProgress });
  return {
    brokers: local.brokers,
    source: 'local',
    get pid() {
      return local.pid;
    },
    stop: () => local.stop(),
  };
}

async function dockerAnswers(): Promise<boolean> {
  if (process.env.XHUB_NO_DOCKER === '1') return false;
  if (!process.env.DOCKER_HOST && !existsSync('/var/run/docker.sock')) return false;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    const client = await withTimeout(getContainerRuntimeClient(), 5_000, 'no Docker answer within 5 s');
    return Boolean(client);
  } catch {
    return false;
  }
}
