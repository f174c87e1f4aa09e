import { dirname } from 'node:path';
import type { Command } from 'commander';
import { startLocalBroker } from '../../lib/kafka/local-broker.ts';
import { hubAcls, provisionHub } from '../../lib/kafka/provision.ts';
import { loadPolicy, providersOf } from '../../policies/policy-loader.ts';
import { demoPrincipals } from '../demo-setup.ts';
import { kafkaCliOptions, kafkaFromCli, type KafkaCliOptions } from './kafka-options.ts';
import { onShutdown } from './shutdown.ts';

export function registerKafka(program: Command): void {
  const kafka = program
    .command('kafka')
    .description('run a local single-node Apache Kafka broker (KRaft, SASL_SSL, ACLs) from the official jars until stopped')
    .action(async () => {
      const broker = await startLocalBroker({ principals: demoPrincipals(), onProgress: (line) => console.error(line) });
      console.log(`KAFKA_BROKERS=${broker.brokers.join(',')}`);
      console.log(`KAFKA_CA_FILE=${broker.caFile}`);
      console.log(`XHUB_KAFKA_CREDENTIALS_DIR=${dirname(broker.credentialsFile('admin'))}`);
      onShutdown(() => broker.stop());
    });

  kafkaCliOptions(kafka.command('provision'), 'admin')
    .description("create the hub's topics and ACLs from a policy folder, as the Kafka admin (run once, and after adding nodes or providers)")
    .requiredOption('--policies <dir>', 'policy folder: its hub.json nodes and provider agencies decide topics and principals')
    .option('--prefix <prefix>', 'topic prefix', 'xhub.')
    .option('--partitions <n>', 'partitions of request and reply topics', '3')
    .option('--replication-factor <n>', 'replication factor (3 in production)', '1')
    .option('--dry-run', 'print the ACLs each principal would get, and change nothing')
    .action(async (o: KafkaCliOptions & { policies: string; prefix: string; partitions: string; replicationFactor: string; dryRun?: boolean }) => {
      const policy = await loadPolicy(o.policies);
      const members = { nodeIds: [...policy.nodeIds], providers: providersOf(policy) };
      if (o.dryRun) {
        for (const acl of hubAcls(o.prefix, members)) console.log(JSON.stringify(acl));
        return;
      }
      const admin = kafkaFromCli(o, 'xhub kafka provision').admin();
      await admin.connect();
      try {
        await provisionHub(admin, o.prefix, members, { partitions: Number(o.partitions), replicationFactor: Number(o.replicationFactor) });
      } finally {
        await admin.disconnect();
      }
      console.log(`provisioned ${o.prefix}*: topics for ${members.providers.length} providers and ${members.nodeIds.length} nodes, ACLs for ${members.nodeIds.length + members.providers.length + 2} principals`);
    });
}
