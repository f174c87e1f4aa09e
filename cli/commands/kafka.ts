import { dirname } from 'node:path';
import type { Command } from 'commander';
import type { SecuredKafka } from '../../lib/kafka/broker-source.ts';
import { startLocalBroker } from '../../lib/kafka/local-broker.ts';
import { startLocalCluster } from '../../lib/kafka/local-cluster.ts';
import { KAFKA_ADMIN } from '../../lib/kafka/principals.ts';
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
      printConnection(broker);
      onShutdown(() => broker.stop());
    });

  kafka
    .command('cluster')
    .description('run a local 3-node Apache Kafka cluster (KRaft, every node broker and controller, SASL_SSL, ACLs) until stopped; provisions nothing')
    .option('--nodes <n>', 'number of nodes (3 survives the loss of any one)', '3')
    .action(async (o: { nodes: string }) => {
      const nodes = Number(o.nodes);
      if (!Number.isInteger(nodes) || nodes < 1 || nodes > 9) throw new Error(`--nodes must be a whole number from 1 to 9, not ${o.nodes}`);
      const started = Date.now();
      const cluster = await startLocalCluster({ brokers: nodes, principals: demoPrincipals(), onProgress: (line) => console.error(line) });
      for (const node of cluster.nodes) console.error(`node ${node.nodeId}: ${node.address} (pid ${node.pid}, ${node.dir})`);
      console.error(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s; provision with: npx xhub kafka provision --policies <dir> --replication-factor ${Math.min(3, nodes)} (as the admin)`);
      printConnection(cluster);
      onShutdown(() => cluster.stop());
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

/** What a client needs to reach a local Kafka, as environment lines (stdout, so a shell can source them). */
function printConnection(kafka: Pick<SecuredKafka, 'brokers' | 'caFile' | 'credentialsFile'>): void {
  console.log(`KAFKA_BROKERS=${kafka.brokers.join(',')}`);
  console.log(`KAFKA_CA_FILE=${kafka.caFile}`);
  console.log(`XHUB_KAFKA_CREDENTIALS_DIR=${dirname(kafka.credentialsFile(KAFKA_ADMIN))}`);
}
