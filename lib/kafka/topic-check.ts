import kafkajs, { type Admin } from 'kafkajs';
import { HubError } from '../errors/hub-error.ts';

// kafkajs is CommonJS and Node's ESM loader does not see this named export.
const { ConfigResourceTypes } = kafkajs;

/**
 * Refuses to run on a history topic (audit) whose settings could lose or
 * rewrite entries: it must have one partition (its order is the Merkle tree's
 * order), no deletion by time or size, and no compaction.
 */
export async function assertHistoryTopic(admin: Admin, topic: string, minInsync: number): Promise<void> {
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  const partitions = metadata.topics[0]?.partitions.length ?? 0;
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy', 'retention.ms', 'retention.bytes', 'min.insync.replicas'] }],
  });
  const config = new Map((described.resources[0]?.configEntries ?? []).map((e) => [e.configName, e.configValue]));
  const wrong: string[] = [];
  if (partitions !== 1) wrong.push(`has ${partitions} partitions (must be 1: its order is the log's order)`);
  if (config.get('cleanup.policy') !== 'delete') wrong.push(`cleanup.policy is ${config.get('cleanup.policy')} (must be delete, never compact)`);
  if (config.get('retention.ms') !== '-1') wrong.push(`retention.ms is ${config.get('retention.ms')} (must be -1: keep everything)`);
  if (config.get('retention.bytes') !== '-1') wrong.push(`retention.bytes is ${config.get('retention.bytes')} (must be -1)`);
  if (Number(config.get('min.insync.replicas') ?? 1) < minInsync) wrong.push(`min.insync.replicas is ${config.get('min.insync.replicas')} (must be at least ${minInsync})`);
  if (wrong.length > 0) throw new HubError('ERR_CONFIG_INVALID', `audit topic ${topic} would not keep every entry: ${wrong.join('; ')}. Refusing to run.`);
}
