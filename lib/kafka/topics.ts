import type { Admin, ITopicConfig } from 'kafkajs';
import { minInsyncFor } from './topic-check.ts';

/** Names of every topic the hub uses, under one configurable prefix. */
export interface TopicNames {
  requests(provider: string): string;
  replies(nodeId: string): string;
  deadLetter(): string;
  consentEvents(): string;
  audit(): string;
  auditCheckpoints(): string;
  /** Token and request claims, and exchange outcomes: the deployment-wide replay guard and idempotency store. */
  claims(): string;
}

export function topicNames(prefix: string): TopicNames {
  return {
    requests: (provider) => `${prefix}requests.${provider}`,
    replies: (nodeId) => `${prefix}replies.${nodeId}`,
    deadLetter: () => `${prefix}dead-letter`,
    consentEvents: () => `${prefix}consent-events`,
    audit: () => `${prefix}audit`,
    auditCheckpoints: () => `${prefix}audit-checkpoints`,
    claims: () => `${prefix}claims`,
  };
}

export interface TopicLayout {
  partitions: number;
  replicationFactor: number;
}

const HOUR_MS = 3_600_000;

/**
 * Explicit topic settings: broker auto-create is off, so every topic the hub
 * needs is created here. Requests and replies only live as long as a deadline
 * can; dead letters are kept for operators to inspect.
 */
export function topicSpecs(names: string[], kind: 'requests' | 'replies' | 'dead-letter' | 'history' | 'log' | 'claims', layout: TopicLayout): ITopicConfig[] {
  // History topics (consent events) keep everything: no deletion, no compaction.
  // A log (audit entries, checkpoints) is history with one partition: its order is the Merkle tree's.
  // Claims are one ordered log too (first claim wins, in log order); they matter only for a
  // token's lifetime or an idempotency TTL, and outcomes on it are sealed and deleted after the hour.
  const retention = { requests: 24 * HOUR_MS, replies: HOUR_MS, 'dead-letter': 30 * 24 * HOUR_MS, history: -1, log: -1, claims: HOUR_MS }[kind];
  return names.map((topic) => ({
    topic,
    numPartitions: kind === 'dead-letter' || kind === 'log' || kind === 'claims' ? 1 : layout.partitions,
    replicationFactor: layout.replicationFactor,
    configEntries: [
      { name: 'cleanup.policy', value: 'delete' },
      { name: 'retention.ms', value: String(retention) },
      ...(retention === -1 ? [{ name: 'retention.bytes', value: '-1' }] : []),
      // Small segments, so retention can delete sealed outcomes soon after the hour.
      ...(kind === 'claims' ? [{ name: 'segment.ms', value: String(10 * 60_000) }] : []),
      // With acks=all, a write is acknowledged once it is on min.insync.replicas
      // replicas, and only an in-sync replica may lead: so from RF 3 up the loss
      // of any one broker neither loses an acknowledged record nor stops writes.
      // Set on the topic, not left to the broker's default, which an operator may change.
      { name: 'min.insync.replicas', value: String(minInsyncFor(layout.replicationFactor)) },
      { name: 'unclean.leader.election.enable', value: 'false' },
    ],
  }));
}

/**
 * Creates the topics that do not exist yet (existing ones are left as they
 * are) and waits until every partition has a leader. Nodes and connectors
 * start concurrently and may race to create the same topic, and metadata
 * takes a moment to settle, so the whole step is retried a few times.
 */
export async function ensureTopics(admin: Admin, specs: ITopicConfig[], attempts = 6): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const existing = new Set(await admin.listTopics());
      const missing = specs.filter((s) => !existing.has(s.topic));
      if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: true });
      const metadata = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.topic) });
      const leaderless = metadata.topics.filter((t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0));
      if (leaderless.length === 0) return;
      throw new Error(`no leader yet for ${leaderless.map((t) => t.name).join(', ')}`);
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}
