import type { Admin, ITopicConfig } from 'kafkajs';

/** Names of every topic the hub uses, under one configurable prefix. */
export interface TopicNames {
  requests(provider: string): string;
  replies(nodeId: string): string;
  deadLetter(): string;
}

export function topicNames(prefix: string): TopicNames {
  return {
    requests: (provider) => `${prefix}requests.${provider}`,
    replies: (nodeId) => `${prefix}replies.${nodeId}`,
    deadLetter: () => `${prefix}dead-letter`,
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
export function topicSpecs(names: string[], kind: 'requests' | 'replies' | 'dead-letter', layout: TopicLayout): ITopicConfig[] {
  const retention = { requests: 24 * HOUR_MS, replies: HOUR_MS, 'dead-letter': 30 * 24 * HOUR_MS }[kind];
  return names.map((topic) => ({
    topic,
    numPartitions: kind === 'dead-letter' ? 1 : layout.partitions,
    replicationFactor: layout.replicationFactor,
    configEntries: [
      { name: 'cleanup.policy', value: 'delete' },
      { name: 'retention.ms', value: String(retention) },
      { name: 'min.insync.replicas', value: String(Math.min(2, layout.replicationFactor)) },
    ],
  }));
}

/** Creates the topics that do not exist yet; existing ones are left as they are. */
export async function ensureTopics(admin: Admin, specs: ITopicConfig[]): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.topic));
  if (missing.length === 0) return;
  try {
    await admin.createTopics({ topics: missing, waitForLeaders: true });
  } catch (error) {
    // Another node or connector may have created one in between: only a topic
    // that still does not exist is an error.
    const now = new Set(await admin.listTopics());
    const stillMissing = missing.filter((s) => !now.has(s.topic));
    if (stillMissing.length > 0) throw error;
  }
}
