import { Kafka, logLevel } from 'kafkajs';
import { kafkaSecurity } from './client.ts';
import type { KafkaConnection } from './connection.ts';

/** A local node the readiness probe watches: it fails fast, with the node's log, when the process exits. */
export interface WatchedNode {
  nodeId: number;
  /** host:port of its client listener. */
  address: string;
  exited(): number | null;
  logTail(): Promise<string>;
}

/**
 * Waits until every node in `nodes` answers on its own client listener, is a
 * registered, unfenced broker, and the cluster serves what the hub needs at once: metadata, a group coordinator
 * (whose internal topic loads only after start) and producer-id allocation for
 * idempotent producers. Without that, the first consumer group join or
 * idempotent producer fails.
 */
export async function waitUntilServing(admin_: KafkaConnection, nodes: WatchedNode[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const admin = probeClient(admin_).admin();
  let lastError: unknown;
  try {
    while (Date.now() < deadline) {
      for (const node of nodes) {
        const code = node.exited();
        if (code !== null) throw new Error(`Kafka node ${node.nodeId} exited with code ${code}:\n${await node.logTail()}`);
      }
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        const registered = new Set(cluster.brokers.map((b) => b.nodeId));
        const missing = nodes.filter((n) => !registered.has(n.nodeId)).map((n) => n.nodeId);
        if (missing.length > 0) throw new Error(`nodes ${missing.join(', ')} not registered yet`);
        // A node killed a moment ago stays registered until the controller fences
        // it, so registration alone does not show that a restarted one is back.
        for (const node of nodes) await probeNode({ ...admin_, brokers: [node.address] });
        await admin.fetchTopicMetadata({ topics: [] });
        await admin.describeGroups(['xhub-readiness-probe']);
        await probeIdempotentProducer(admin_);
        return;
      } catch (error) {
        lastError = error;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    const tails = await Promise.all(nodes.map(async (n) => `--- node ${n.nodeId}\n${await n.logTail()}`));
    throw new Error(`Kafka did not serve within ${timeoutMs} ms (${(lastError as Error | undefined)?.message ?? 'no answer'}):\n${tails.join('\n')}`);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** A client that gives up at once: the probe loop does the retrying. */
export function probeClient(connection: KafkaConnection): Kafka {
  return new Kafka({ brokers: connection.brokers, ...kafkaSecurity(connection), clientId: 'xhub-local-kafka-probe', logLevel: logLevel.NOTHING, retry: { retries: 0 } });
}

/** A node serves clients once it has caught up with the metadata: only then does it open its client listener to requests. */
async function probeNode(connection: KafkaConnection): Promise<void> {
  const admin = probeClient(connection).admin();
  try {
    await admin.connect();
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

async function probeIdempotentProducer(connection: KafkaConnection): Promise<void> {
  const producer = probeClient(connection).producer({
    idempotent: true,
    maxInFlightRequests: 1,
    // kafkajs refuses an idempotent producer without retries; one is enough for a probe.
    retry: { retries: 1, initialRetryTime: 50 },
  });
  try {
    await producer.connect();
  } finally {
    await producer.disconnect().catch(() => {});
  }
}
