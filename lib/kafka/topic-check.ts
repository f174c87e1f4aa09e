import kafkajs, { type Admin } from 'kafkajs';
import { HubError } from '../errors/hub-error.ts';
import type { TopicNames } from './topics.ts';

// kafkajs is CommonJS and Node's ESM loader does not see this named export.
const { ConfigResourceTypes } = kafkajs;

/** What a topic must have so that losing a broker loses no acknowledged record. */
export interface Durability {
  /** Replicas of every partition (the node's configured replication factor). */
  replicationFactor: number;
}

/** The minimum in-sync replicas that go with a replication factor: 2 from RF 2 up, so an acks=all write survives one broker's loss. */
export const minInsyncFor = (replicationFactor: number): number => Math.min(2, replicationFactor);

interface TopicState {
  partitions: number;
  /** The fewest replicas any partition has. */
  replicas: number;
  config: Map<string, string>;
}

const CONFIG_NAMES = ['cleanup.policy', 'retention.ms', 'retention.bytes', 'min.insync.replicas', 'unclean.leader.election.enable'];

async function describeTopics(admin: Admin, topics: string[], waitMs = 5_000): Promise<Map<string, TopicState>> {
  const deadline = Date.now() + waitMs;
  const metadata = await untilAuthorised(deadline, `read the metadata of ${topics.join(', ')} (DESCRIBE)`, () => admin.fetchTopicMetadata({ topics }));
  const described = await untilAuthorised(deadline, `read the settings of ${topics.join(', ')} (DESCRIBE_CONFIGS)`, () =>
    admin.describeConfigs({ includeSynonyms: false, resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: CONFIG_NAMES })) }),
  );
  const configs = new Map(described.resources.map((r) => [r.resourceName, new Map(r.configEntries.map((e) => [e.configName, e.configValue]))]));
  return new Map(
    topics.map((topic) => {
      const partitions = metadata.topics.find((t) => t.name === topic)?.partitions ?? [];
      return [topic, { partitions: partitions.length, replicas: partitions.length > 0 ? Math.min(...partitions.map((p) => p.replicas.length)) : 0, config: configs.get(topic) ?? new Map<string, string>() }];
    }),
  );
}

/**
 * Just after provisioning, the new ACLs take a moment to reach every broker of
 * a cluster: one that has not applied them yet refuses DESCRIBE and
 * DESCRIBE_CONFIGS, so an authorisation failure is retried until `deadline`
 * before it counts.
 */
async function untilAuthorised<T>(deadline: number, what: string, call: () => Promise<T>): Promise<T> {
  for (let pause = 50; ; pause = Math.min(pause * 2, 1_000)) {
    try {
      return await call();
    } catch (cause) {
      if ((cause as { type?: string }).type !== 'TOPIC_AUTHORIZATION_FAILED') throw cause;
      if (Date.now() >= deadline) {
        throw new HubError('ERR_KAFKA_UNAVAILABLE', `this node may not ${what}: provision the hub's ACLs again (xhub kafka provision, with the admin principal)`, { cause });
      }
      await new Promise((r) => setTimeout(r, pause));
    }
  }
}

/**
 * Replicated enough, acknowledged writes waiting for a second replica, and no
 * leader that was out of sync: together with acks=all, what keeps an
 * acknowledged record through the loss of any one broker.
 */
function durabilityProblems(state: TopicState, rule: Durability): string[] {
  const wrong: string[] = [];
  const minInsync = minInsyncFor(rule.replicationFactor);
  if (state.replicas < rule.replicationFactor) wrong.push(`has ${state.replicas} replicas (must be at least ${rule.replicationFactor})`);
  if (Number(state.config.get('min.insync.replicas') ?? 1) < minInsync) wrong.push(`min.insync.replicas is ${state.config.get('min.insync.replicas')} (must be at least ${minInsync})`);
  if (state.config.get('unclean.leader.election.enable') === 'true') wrong.push('unclean.leader.election.enable is true (must be false: an out-of-sync leader drops acknowledged records)');
  return wrong;
}

/** A history is never deleted by time or size, nor compacted. */
function historyProblems(state: TopicState): string[] {
  const { config } = state;
  const wrong: string[] = [];
  if (config.get('cleanup.policy') !== 'delete') wrong.push(`cleanup.policy is ${config.get('cleanup.policy')} (must be delete, never compact)`);
  if (config.get('retention.ms') !== '-1') wrong.push(`retention.ms is ${config.get('retention.ms')} (must be -1: keep everything)`);
  if (config.get('retention.bytes') !== '-1') wrong.push(`retention.bytes is ${config.get('retention.bytes')} (must be -1)`);
  return wrong;
}

/**
 * Refuses to run on topics whose settings could lose or rewrite what the hub
 * relies on: the audit log (one partition, since its order is the Merkle
 * tree's, kept whole), the consent events (kept whole: every node rebuilds its
 * consent view from them) and the request topics; all of them durable as
 * `rule` says.
 */
export async function assertHubTopics(admin: Admin, topics: TopicNames, providers: string[], rule: Durability): Promise<void> {
  const audit = topics.audit();
  const consent = topics.consentEvents();
  const requests = providers.map((p) => topics.requests(p));
  const states = await describeTopics(admin, [audit, consent, ...requests]);
  const auditState = states.get(audit)!;
  const auditWrong = [...(auditState.partitions !== 1 ? [`has ${auditState.partitions} partitions (must be 1: its order is the log's order)`] : []), ...historyProblems(auditState), ...durabilityProblems(auditState, rule)];
  if (auditWrong.length > 0) throw new HubError('ERR_CONFIG_INVALID', `audit topic ${audit} would not keep every entry: ${auditWrong.join('; ')}. Refusing to run.`);
  const consentWrong = [...historyProblems(states.get(consent)!), ...durabilityProblems(states.get(consent)!, rule)];
  if (consentWrong.length > 0) throw new HubError('ERR_CONFIG_INVALID', `consent topic ${consent} would not keep every consent event: ${consentWrong.join('; ')}. Refusing to run.`);
  for (const topic of requests) {
    const wrong = durabilityProblems(states.get(topic)!, rule);
    if (wrong.length > 0) throw new HubError('ERR_CONFIG_INVALID', `request topic ${topic} could lose acknowledged requests: ${wrong.join('; ')}. Refusing to run.`);
  }
}
