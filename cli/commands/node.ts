import type { Command } from 'commander';
import { startNode } from '../../broker/node.ts';
import type { NodeConfig } from '../../broker/config.ts';
import { readJsonFile } from './read-json.ts';
import { onShutdown } from './shutdown.ts';

export function registerNode(program: Command): void {
  program
    .command('node')
    .description('start an exchange node (config: --config file, then XHUB_* / KAFKA_BROKERS env, then defaults)')
    .option('--config <file>', 'JSON file with node settings')
    .option('--listen <host:port>', 'gRPC address')
    .option('--node-id <id>', 'node id, also the JWT audience')
    .option('--policies <dir>', 'policy folder')
    .option('--hub-key <file>', "hub's private JWK")
    .action(async (o: { config?: string; listen?: string; nodeId?: string; policies?: string; hubKey?: string }) => {
      const node = await startNode({
        ...readJsonFile<NodeConfig>(o.config),
        ...(o.listen && { listen: o.listen }),
        ...(o.nodeId && { nodeId: o.nodeId }),
        ...(o.policies && { policiesDir: o.policies }),
        ...(o.hubKey && { hubKeyFile: o.hubKey }),
      });
      onShutdown(() => node.stop());
    });
}
