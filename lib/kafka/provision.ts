import kafkajs, { type Admin, type AclEntry } from 'kafkajs';
import { HubError } from '../errors/hub-error.ts';
import type { Logger } from '../log.ts';
import { KAFKA_AUDIT_READER, KAFKA_SEQUENCER, connectorPrincipal, nodePrincipal } from './principals.ts';
import { ensureTopics, topicSpecs, topicNames, type TopicLayout, type TopicNames } from './topics.ts';

// kafkajs is CommonJS and Node's ESM loader does not see these named exports.
const { AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } = kafkajs;
const { TOPIC, GROUP, CLUSTER } = AclResourceTypes;
const { READ, WRITE, DESCRIBE, DESCRIBE_CONFIGS, IDEMPOTENT_WRITE } = AclOperationTypes;
const { LITERAL, PREFIXED } = ResourcePatternTypes;

/** What the hub's Kafka layout is derived from: the nodes and providers the policy registers. */
export interface HubMembers {
  nodeIds: Iterable<string>;
  providers: Iterable<string>;
}

/** Consumer group names, so that each principal's group ACL covers exactly its own groups. */
export const groupNames = (prefix: string) => ({
  /** Prefix of every group a node uses (reply router, consent view, audit index, readers). */
  node: (nodeId: string) => `${prefix}node.${nodeId}.`,
  connector: (agency: string) => `${prefix}connector.${agency}`,
  /** The sequencer's election group; its readers' groups extend it. */
  sequencer: () => `${prefix}audit-sequencer`,
  /** Prefix of the groups DPO tools read the audit log with. */
  auditReader: () => `${prefix}audit-reader.`,
});

/** Every topic of a hub, with its settings. */
export function hubTopicSpecs(topics: TopicNames, members: HubMembers, layout: TopicLayout) {
  return [
    ...topicSpecs([...members.providers].map((p) => topics.requests(p)), 'requests', layout),
    ...topicSpecs([...members.nodeIds].map((n) => topics.replies(n)), 'replies', layout),
    ...topicSpecs([topics.deadLetter()], 'dead-letter', layout),
    ...topicSpecs([topics.consentEvents()], 'history', layout),
    ...topicSpecs([topics.audit(), topics.auditCheckpoints()], 'log', layout),
    ...topicSpecs([topics.claims()], 'claims', layout),
  ];
}

type Grant = [resourceType: kafkajs.AclResourceTypes, name: string, pattern: kafkajs.ResourcePatternTypes, operations: kafkajs.AclOperationTypes[]];

/**
 * The ACLs of every principal: each may do only what its role needs. With the
 * StandardAuthorizer and allow.everyone.if.no.acl.found=false, anything not
 * listed here is denied.
 */
export function hubAcls(prefix: string, members: HubMembers): AclEntry[] {
  const t = topicNames(prefix);
  const g = groupNames(prefix);
  const grants: [principal: string, grants: Grant[]][] = [];
  for (const nodeId of members.nodeIds) {
    grants.push([
      nodePrincipal(nodeId),
      [
        // DESCRIBE_CONFIGS: a node checks at start that request topics are durable (lib/kafka/topic-check.ts).
        [TOPIC, t.requests(''), PREFIXED, [WRITE, DESCRIBE, DESCRIBE_CONFIGS]],
        [TOPIC, t.replies(nodeId), LITERAL, [READ, DESCRIBE]],
        [TOPIC, t.consentEvents(), LITERAL, [READ, WRITE, DESCRIBE, DESCRIBE_CONFIGS]],
        [TOPIC, t.audit(), LITERAL, [READ, WRITE, DESCRIBE, DESCRIBE_CONFIGS]],
        [TOPIC, t.auditCheckpoints(), LITERAL, [READ, DESCRIBE]],
        [TOPIC, t.claims(), LITERAL, [READ, WRITE, DESCRIBE]],
        [TOPIC, t.deadLetter(), LITERAL, [WRITE, DESCRIBE]],
        [GROUP, g.node(nodeId), PREFIXED, [READ]],
        [CLUSTER, 'kafka-cluster', LITERAL, [IDEMPOTENT_WRITE]],
      ],
    ]);
  }
  for (const agency of members.providers) {
    grants.push([
      connectorPrincipal(agency),
      [
        [TOPIC, t.requests(agency), LITERAL, [READ, DESCRIBE]],
        [GROUP, g.connector(agency), LITERAL, [READ]],
        [TOPIC, t.replies(''), PREFIXED, [WRITE, DESCRIBE]],
        [TOPIC, t.deadLetter(), LITERAL, [WRITE, DESCRIBE]],
        [CLUSTER, 'kafka-cluster', LITERAL, [IDEMPOTENT_WRITE]],
      ],
    ]);
  }
  grants.push([
    KAFKA_SEQUENCER,
    [
      [TOPIC, t.audit(), LITERAL, [READ, DESCRIBE]],
      [TOPIC, t.auditCheckpoints(), LITERAL, [READ, WRITE, DESCRIBE]],
      [GROUP, g.sequencer(), PREFIXED, [READ]],
      [CLUSTER, 'kafka-cluster', LITERAL, [IDEMPOTENT_WRITE]],
    ],
  ]);
  grants.push([
    KAFKA_AUDIT_READER,
    [
      [TOPIC, t.audit(), LITERAL, [READ, DESCRIBE]],
      [TOPIC, t.auditCheckpoints(), LITERAL, [READ, DESCRIBE]],
      [GROUP, g.auditReader(), PREFIXED, [READ]],
    ],
  ]);
  return grants.flatMap(([principal, list]) =>
    list.flatMap(([resourceType, resourceName, resourcePatternType, operations]) =>
      operations.map((operation) => ({ resourceType, resourceName, resourcePatternType, principal: `User:${principal}`, host: '*', operation, permissionType: AclPermissionTypes.ALLOW })),
    ),
  );
}

/**
 * Creates the hub's topics and ACLs with the admin principal (idempotent: what
 * exists is left as it is). Run at start-up by an operator or the demo; nodes
 * and connectors themselves cannot create topics or change ACLs.
 */
export async function provisionHub(admin: Admin, prefix: string, members: HubMembers, layout: TopicLayout, log?: Logger): Promise<void> {
  await ensureTopics(admin, hubTopicSpecs(topicNames(prefix), members, layout));
  const acl = hubAcls(prefix, members);
  try {
    await admin.createAcls({ acl });
  } catch (cause) {
    throw new HubError('ERR_KAFKA_UNAVAILABLE', `could not create the hub's Kafka ACLs (does this principal have ALTER on the cluster?): ${(cause as Error).message}`, { cause });
  }
  log?.info({ prefix, acls: acl.length }, 'Kafka topics and ACLs provisioned');
}

/**
 * Fails closed unless every topic exists: a node or connector has no right to
 * create topics, so a missing one means the hub was not provisioned.
 */
export async function requireTopics(admin: Admin, topics: string[], waitMs = 5_000): Promise<void> {
  // Just after provisioning, new topics and ACLs take a moment to reach every broker.
  const deadline = Date.now() + waitMs;
  let missing: string[];
  for (let pause = 50; ; pause = Math.min(pause * 2, 1_000)) {
    const existing = new Set(await admin.listTopics());
    missing = topics.filter((t) => !existing.has(t));
    if (missing.length === 0 || Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, pause));
  }
  if (missing.length > 0) {
    throw new HubError('ERR_KAFKA_UNAVAILABLE', `Kafka topics missing or not visible to this principal: ${missing.join(', ')}. Provision the hub first (xhub kafka provision, with the admin principal).`);
  }
}
