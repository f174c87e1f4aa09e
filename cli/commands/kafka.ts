import type { Command } from 'commander';
import { startLocalBroker } from '../../lib/kafka/local-broker.ts';
import { onShutdown } from './shutdown.ts';

export function registerKafka(program: Command): void {
  program
    .command('kafka')
    .description('run a local single-node Apache Kafka broker (KRaft) from the official jars until stopped')
    .action(async () => {
      const broker = await startLocalBroker({ onProgress: (line) => console.error(line) });
      console.log(`KAFKA_BROKERS=${broker.brokers.join(',')}`);
      onShutdown(() => broker.stop());
    });
}
