import type { KafkaConnection } from './connection.ts';
import { startLocalCluster } from './local-cluster.ts';

// Callers have long taken freePort from here.
export { freePort } from '../net/free-port.ts';

export interface LocalBroker {
  brokers: string[];
  dataDir: string;
  /** PEM file of the CA that signed the broker's certificate: what clients trust. */
  caFile: string;
  /** The credentials file (JSON, mode 0600) of a principal created at start. */
  credentialsFile(principal: string): string;
  /** How a principal connects: TLS to the broker, SASL/SCRAM-SHA-512 as itself. */
  connection(principal: string): KafkaConnection;
  /** The broker's process id (for CPU and memory figures); changes on restart. */
  readonly pid: number | undefined;
  /** Stops the broker (SIGTERM, then SIGKILL after a grace period) and, unless kept, deletes its data. */
  stop(options?: { keepData?: boolean }): Promise<void>;
  /** Hard stop and start again on the same ports and data, as a crash and recovery would. */
  restart(): Promise<void>;
}

export interface LocalBrokerOptions {
  /** SCRAM users to create (the admin, a super user, always is). */
  principals?: string[];
  heap?: string;
  onProgress?: (line: string) => void;
  startTimeoutMs?: number;
}

/**
 * A single-node KRaft broker (combined broker and controller) on free
 * 127.0.0.1 ports, from the official Apache Kafka jars, secured as production
 * is: a local cluster of one (lib/kafka/local-cluster.ts). For development
 * and tests; production runs a multi-broker cluster.
 */
export async function startLocalBroker(options: LocalBrokerOptions = {}): Promise<LocalBroker> {
  const cluster = await startLocalCluster({ ...options, brokers: 1 });
  const node = cluster.nodes[0]!;
  return {
    brokers: cluster.brokers,
    dataDir: cluster.dataDir,
    caFile: cluster.caFile,
    credentialsFile: (principal) => cluster.credentialsFile(principal),
    connection: (principal) => cluster.connection(principal),
    get pid() {
      return node.pid;
    },
    stop: (stopOptions) => cluster.stop(stopOptions),
    async restart() {
      await cluster.kill(0);
      await cluster.start(0);
    },
  };
}
