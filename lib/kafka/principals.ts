/**
 * Kafka principals of the hub, one per role instance (SASL/SCRAM user names).
 * ACLs (lib/kafka/provision.ts) give each only what its role needs.
 */
export const KAFKA_ADMIN = 'admin';
/** Reads the audit log and writes signed checkpoints; nothing else. */
export const KAFKA_SEQUENCER = 'sequencer';
/** DPO tools (`xhub audit verify/export`): read the audit log, write nothing. */
export const KAFKA_AUDIT_READER = 'audit-reader';

export const nodePrincipal = (nodeId: string): string => `node.${nodeId}`;
export const connectorPrincipal = (agency: string): string => `connector.${agency}`;

/** Every principal a hub with these nodes and providers needs, admin first. */
export function hubPrincipals(nodeIds: Iterable<string>, providers: Iterable<string>): string[] {
  return [KAFKA_ADMIN, KAFKA_SEQUENCER, KAFKA_AUDIT_READER, ...[...nodeIds].map(nodePrincipal), ...[...providers].map(connectorPrincipal)];
}
