import type { Command } from 'commander';
import type { ConnectorConfig } from '../../connectors/config.ts';
import { startConnector } from '../../connectors/connector.ts';
import { readJsonFile } from './read-json.ts';
import { onShutdown } from './shutdown.ts';
import { registerConnectorCheck } from './connector-check.ts';

export function registerConnector(program: Command): void {
  const connector = program
    .command('connector')
    .enablePositionalOptions()
    .description("start a provider agency's connector sidecar (config: --config file, then XHUB_* / KAFKA_BROKERS env)")
    .option('--config <file>', 'JSON file with connector settings')
    .option('--agency <id>', 'provider agency id')
    .option('--key <file>', "agency's private JWK")
    .option('--policies <dir>', 'policy folder')
    .option('--backend-url <template>', 'HTTP JSON backend, e.g. http://127.0.0.1:8080/records/{recordType}/{subject}')
    .option('--backend-timeout <ms>', 'HTTP backend timeout', '3000')
    .option('--backend-dir <dir>', 'file backend folder (demo)')
    .action(async (o: { config?: string; agency?: string; key?: string; policies?: string; backendUrl?: string; backendTimeout: string; backendDir?: string }) => {
      const backend = o.backendUrl
        ? { type: 'http' as const, urlTemplate: o.backendUrl, timeoutMs: Number(o.backendTimeout) }
        : o.backendDir
          ? { type: 'file' as const, dir: o.backendDir }
          : undefined;
      const running = await startConnector({
        ...readJsonFile<ConnectorConfig>(o.config),
        ...(o.agency && { agencyId: o.agency }),
        ...(o.key && { privateKeyFile: o.key }),
        ...(o.policies && { policiesDir: o.policies }),
        ...(backend && { backend }),
      });
      onShutdown(() => running.stop());
    });
  registerConnectorCheck(connector);
}
