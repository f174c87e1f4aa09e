import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { startNode, type RunningNode } from '../../broker/node.ts';
import { startConnector, type RunningConnector } from '../../connectors/connector.ts';
import { acquireKafka, type KafkaHandle } from '../../lib/kafka/broker-source.ts';
import { KAFKA_AUDIT_READER } from '../../lib/kafka/principals.ts';
import { createLogger } from '../../lib/log.ts';
import { connectorKafkaSettings, nodeKafkaSettings, provisionDemoHub } from '../demo-hub.ts';
import { DEMO_DATA, demoPrincipals, materialiseDemo } from '../demo-setup.ts';
import { demoNodeTls } from '../demo-tls.ts';
import { loadPolicy, providersOf } from '../../policies/policy-loader.ts';
import { addUser } from '../../broker/console/console-users.ts';
import { onShutdown } from './shutdown.ts';
import { hubVerifier } from './audit/verify.ts';
import { verifierKeyOf } from '../../lib/merkle/signed-note.ts';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run a node with a Kafka broker, the demo agencies and their connectors (file backends)')
    .option('--state <dir>', 'where demo keys and the policy copy live', '.xhub/demo')
    .option('--listen <host:port>', 'gRPC address', '127.0.0.1:50051')
    .option('--admin-port <port>', 'metrics and health: the node on this loopback port, the connectors on the next ones; 0 picks free ports', '9464')
    .option('--console-port <port>', 'the DPO web console (HTTPS) on this loopback port; 0 picks a free port', '8443')
    .action(async (o: { state: string; listen: string; adminPort: string; consolePort: string }) => {
      const adminPort = Number(o.adminPort);
      if (!Number.isInteger(adminPort) || adminPort < 0 || adminPort > 65_530) throw new Error(`--admin-port must be a port number, not ${o.adminPort}`);
      const adminListen = (offset: number) => `127.0.0.1:${adminPort === 0 ? 0 : adminPort + offset}`;
      const log = createLogger('xhub-demo');
      // First, so that Ctrl-C during start-up also stops what has started, in order.
      const running: DemoParts = { connectors: [] };
      onShutdown(() => stopDemo(running));
      const kafka = (running.kafka = await acquireKafka(demoPrincipals(), (line) => log.info(line)));
      const demo = await materialiseDemo(o.state);
      await provisionDemoHub(kafka, demo, 'xhub.', log);
      const common = { policiesDir: demo.policiesDir };
      // A demo DPO of the PDPC (the demo's auditor), with a fresh password and TOTP secret each run.
      const usersFile = join(o.state, 'secrets', 'console-users.json');
      const dpo = { name: 'dpo.somchai', agency: 'PDPC', password: randomBytes(12).toString('base64url') };
      const { secret } = await addUser(usersFile, await loadPolicy(demo.policiesDir), dpo);
      const consoleListen = `127.0.0.1:${Number(o.consolePort)}`;
      const node = await startNode(
        { ...common, ...nodeKafkaSettings(kafka, 'node-1'), nodeId: 'node-1', listen: o.listen, hubKeyFile: demo.hubKeyFile, nodeKeyFile: demo.nodeKeyFile('node-1'), pseudonymKeyFile: demo.pseudonymKeyFile, tls: demoNodeTls(demo.tls), adminListen: adminListen(0), console: { listen: consoleListen, usersFile } },
        log,
      );
      running.node = node;
      const providers = providersOf(node.policy());
      const connectors = await Promise.all(
        // The node's admin listener is on --admin-port; each connector takes the next port.
        providers.map((agency, i) =>
          startConnector({ ...common, ...connectorKafkaSettings(kafka, agency), agencyId: agency, privateKeyFile: demo.agencyKeyFile(agency), backend: { type: 'file', dir: join(DEMO_DATA, agency) }, adminListen: adminListen(1 + i) }, { log }),
        ),
      );
      running.connectors = connectors;
      const example = [
        'npx xhub request --agency FPO',
        `--key ${demo.agencyKeyFile('FPO')} --policies ${demo.policiesDir} --node ${nodeHost(o.listen)}:${node.port}`,
        `--ca ${demo.tls.caFile} --cert ${demo.tls.clientCertFile('FPO')} --tls-key ${demo.tls.clientKeyFile('FPO')}`,
        '--subject 1101700203450 --record-type dopa.civil-registration.person --purpose WELFARE_ELIGIBILITY',
      ].join(' \\\n    ');
      const dpoEnv = await writeAuditReaderEnv(o.state, kafka);
      process.stderr.write(
        `\nexchange-hub demo is up: node-1 on port ${node.port} (mutual TLS, certificates in ${demo.tls.dir}), Kafka ${kafka.brokers.join(',')} (${kafka.source}, SASL_SSL),\nconnectors for ${providers.join(', ')}. Try:\n\n    ${example}\n\n` +
          `DPO tools read Kafka as the audit-reader principal: set -a; . ${dpoEnv}; set +a; npx xhub audit verify --policies ${demo.policiesDir}\n` +
          `Audit log verifier key (C2SP, origin ${node.config.auditOrigin}): ${verifierKeyOf(await hubVerifier(demo.policiesDir, node.config.auditOrigin))}\n` +
          `DPO console: https://127.0.0.1:${node.consolePort}/ (certificate from the demo CA, ${demo.tls.caFile})\n` +
          `  demo login (demo only; made afresh each run): user ${dpo.name}, password ${dpo.password}, TOTP secret ${secret}\n` +
          `  the current one-time code: npx xhub console totp --users ${usersFile} --name ${dpo.name}\n\nCtrl-C stops everything.\n`,
      );
    });
}

interface DemoParts {
  kafka?: KafkaHandle;
  node?: RunningNode;
  connectors: RunningConnector[];
}

/**
 * Stops the demo's parts, Kafka last: the node (no new calls; those in flight
 * finish), then the connectors, then the broker they both still use while they
 * stop. The broker runs in its own process group, so a Ctrl-C reaches it only
 * through here.
 */
async function stopDemo(running: DemoParts): Promise<void> {
  await running.node?.stop();
  await Promise.all(running.connectors.map((c) => c.stop()));
  await running.kafka?.stop();
}

/**
 * The DPO tools' Kafka settings for this demo (brokers, CA, the audit-reader
 * principal's credentials), as an env file beside the demo's other secrets.
 */
async function writeAuditReaderEnv(state: string, kafka: KafkaHandle): Promise<string> {
  const file = join(state, 'secrets', 'audit-reader.env');
  const lines = [`KAFKA_BROKERS=${kafka.brokers.join(',')}`, `KAFKA_CA_FILE=${resolve(kafka.caFile)}`, `KAFKA_CREDENTIALS_FILE=${resolve(kafka.credentialsFile(KAFKA_AUDIT_READER))}`];
  await writeFile(file, lines.join('\n') + '\n', { mode: 0o600 });
  return file;
}

/** Where a client on this machine reaches the node: a wildcard listen address is reached on loopback, which the demo certificate names. */
function nodeHost(listen: string): string {
  const host = listen.replace(/:\d+$/, '');
  return host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host;
}
