import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNode, type NodeHooks, type RunningNode } from '../../broker/node.ts';
import type { NodeConfig } from '../../broker/config.ts';
import type { Backend } from '../../connectors/backends/backend.types.ts';
import { FileBackend } from '../../connectors/backends/file-backend.ts';
import { startConnector, type RunningConnector } from '../../connectors/connector.ts';
import type { ConnectorConfig } from '../../connectors/config.ts';
import { DEMO_DATA, materialiseDemo, type DemoLayout } from '../../cli/demo-setup.ts';
import { demoClientTransport, demoNodeTls } from '../../cli/demo-tls.ts';
import type { ChannelCredentials } from '@grpc/grpc-js';
import { channelCredentials, type ClientTransport } from '../../lib/client-transport.ts';
import { loadSigningKeyFile, type SigningKey } from '../../lib/crypto/keys.ts';
import { AuditClient } from '../../lib/audit-client.ts';
import { ConsentClient } from '../../lib/consent-client.ts';
import { ExchangeClient } from '../../lib/exchange-client.ts';
import { createLogger } from '../../lib/log.ts';
import { provisionHub } from '../../lib/kafka/provision.ts';
import { connectorPrincipal, KAFKA_SEQUENCER, nodePrincipal } from '../../lib/kafka/principals.ts';
import { CountingBackend } from './counting-backend.ts';
import { sharedTestKafka, testKafka, type TestKafkaTarget } from './test-kafka.ts';

export const SOMSRI = '1101700203450';
export const SOMCHAI = '3100500123458';

/**
 * A node plus connectors on the shared real Kafka broker (or a Kafka the test
 * brings, such as a cluster), on topics under a prefix of their own so test
 * files never see each other's traffic.
 */
export class HubFixture {
  readonly connectors = new Map<string, RunningConnector>();
  readonly backends = new Map<string, CountingBackend>();
  /** Every log line the node and connectors wrote, at debug level and above. */
  readonly logs: string[] = [];
  private readonly log = createLogger('test', 'debug', { write: (line: string) => void this.logs.push(line) });
  node!: RunningNode;
  private clients: { close(): void }[] = [];

  readonly brokers: string[];
  readonly topicPrefix: string;
  readonly stateDir: string;
  readonly demo: DemoLayout;
  readonly kafka: TestKafkaTarget;

  private constructor(kafka: TestKafkaTarget, topicPrefix: string, stateDir: string, demo: DemoLayout) {
    this.kafka = kafka;
    this.brokers = kafka.settings('admin').kafkaBrokers;
    this.topicPrefix = topicPrefix;
    this.stateDir = stateDir;
    this.demo = demo;
  }

  static async start(options: { connectors?: string[]; node?: Partial<NodeConfig>; kafka?: TestKafkaTarget } = {}): Promise<HubFixture> {
    const stateDir = await mkdtemp(join(tmpdir(), 'xhub-test-'));
    const fixture = new HubFixture(options.kafka ?? sharedTestKafka, `t${randomBytes(4).toString('hex')}.`, stateDir, await materialiseDemo(stateDir));
    await fixture.provision();
    await fixture.startNode(options.node);
    for (const agency of options.connectors ?? ['DOPA', 'RD', 'MOPH', 'FPO']) await fixture.startConnector(agency);
    return fixture;
  }

  /** Creates this hub's topics and ACLs as the admin would, so nodes and connectors run with least privilege. */
  async provision(prefix = this.topicPrefix): Promise<void> {
    const admin = testKafka(undefined, undefined, this.kafka).admin();
    await admin.connect();
    try {
      await provisionHub(admin, prefix, { nodeIds: this.demo.nodes, providers: ['DOPA', 'RD', 'MOPH', 'FPO'] }, { partitions: 3, replicationFactor: this.kafka.replicationFactor });
    } finally {
      await admin.disconnect();
    }
  }

  get address(): string {
    return `127.0.0.1:${this.node.port}`;
  }

  async startNode(overrides: Partial<NodeConfig> = {}, hooks: NodeHooks = {}): Promise<RunningNode> {
    const nodeId = overrides.nodeId ?? 'node-1';
    this.node = await startNode(
      {
        nodeId,
        listen: '127.0.0.1:0',
        policiesDir: this.demo.policiesDir,
        hubKeyFile: this.demo.hubKeyFile,
        nodeKeyFile: this.demo.nodeKeyFile(nodeId),
        pseudonymKeyFile: this.demo.pseudonymKeyFile,
        ...this.kafka.settings(nodePrincipal(nodeId)),
        kafkaSequencerCredentialsFile: this.kafka.settings(KAFKA_SEQUENCER).kafkaCredentialsFile,
        replicationFactor: this.kafka.replicationFactor,
        topicPrefix: this.topicPrefix,
        // The secure path is the tested path: mutual TLS with the demo CA, as `npm start` serves.
        tls: demoNodeTls(this.demo.tls),
        // Test files run side by side: each admin listener on a free port.
        adminListen: '127.0.0.1:0',
        ...overrides,
      },
      this.log,
      hooks,
    );
    return this.node;
  }

  /** Starts (or restarts) an agency's connector; its backend counts calls across restarts. */
  async startConnector(agency: string, backend?: Backend, overrides: Partial<Pick<ConnectorConfig, 'concurrency'>> = {}): Promise<RunningConnector> {
    const counting = this.backends.get(agency) ?? new CountingBackend(backend ?? new FileBackend(join(DEMO_DATA, agency)));
    this.backends.set(agency, counting);
    const connector = await startConnector(
      { ...this.connectorSettings(agency), backend: { type: 'file', dir: join(DEMO_DATA, agency) }, ...overrides },
      { backend: counting, log: this.log },
    );
    this.connectors.set(agency, connector);
    return connector;
  }

  /**
   * Starts an agency's connector from config alone, as `xhub connector` does:
   * its own backend (PostgreSQL, SOAP, REST…) and mappings, with nothing injected.
   */
  async startConfiguredConnector(agency: string, config: Pick<ConnectorConfig, 'backend' | 'mappings'>): Promise<RunningConnector> {
    const connector = await startConnector({ ...this.connectorSettings(agency), ...config }, { log: this.log });
    this.connectors.set(agency, connector);
    return connector;
  }

  /** An agency connector's settings on this hub, all but its backend. */
  private connectorSettings(agency: string): Omit<Partial<ConnectorConfig>, 'backend'> {
    return {
      agencyId: agency,
      privateKeyFile: this.demo.agencyKeyFile(agency),
      policiesDir: this.demo.policiesDir,
      ...this.kafka.settings(connectorPrincipal(agency)),
      topicPrefix: this.topicPrefix,
      adminListen: '127.0.0.1:0',
    };
  }

  async stopConnector(agency: string): Promise<void> {
    await this.connectors.get(agency)?.stop();
    this.connectors.delete(agency);
  }

  key(agency: string): Promise<SigningKey> {
    return loadSigningKeyFile(this.demo.agencyKeyFile(agency));
  }

  /** How `agency` reaches the node: trusting the test CA, over its own client certificate. */
  transport(agency: string): Promise<ClientTransport> {
    return demoClientTransport(this.demo.tls, agency);
  }

  /** Channel credentials of `agency`, for raw grpc-js clients (health, reflection). */
  async credentials(agency: string): Promise<ChannelCredentials> {
    return channelCredentials(await this.transport(agency));
  }

  /** Closes `client` when the fixture stops. */
  track<C extends { close(): void }>(client: C): C {
    this.clients.push(client);
    return client;
  }

  async client(agency: string, audience = this.node.config.nodeId): Promise<ExchangeClient> {
    return this.track(new ExchangeClient(this.address, agency, await this.key(agency), audience, await this.transport(agency)));
  }

  async consentClient(agency = 'DGA', node: RunningNode = this.node): Promise<ConsentClient> {
    return this.track(new ConsentClient(`127.0.0.1:${node.port}`, agency, await this.key(agency), node.config.nodeId, await this.transport(agency)));
  }

  async auditClient(agency = 'PDPC', node: RunningNode = this.node): Promise<AuditClient> {
    return this.track(new AuditClient(`127.0.0.1:${node.port}`, agency, await this.key(agency), node.config.nodeId, await this.transport(agency)));
  }

  async stop(): Promise<void> {
    for (const c of this.clients) c.close();
    await this.node?.stop();
    await Promise.all([...this.connectors.values()].map((c) => c.stop()));
    await rm(this.stateDir, { recursive: true, force: true });
  }
}
