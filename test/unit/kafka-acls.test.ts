import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { hubAcls } from '../../lib/kafka/provision.ts';

// kafkajs's enums are plain name → number objects: name them back.
const nameOf = (table: object) => (n: number) => Object.entries(table).find(([, v]) => v === n)?.[0] ?? String(n);
const op = nameOf(kafkajs.AclOperationTypes);
const resource = nameOf(kafkajs.AclResourceTypes);
const pattern = nameOf(kafkajs.ResourcePatternTypes);

/** What a principal may do, as `OPERATION resource-kind pattern:name` lines, for reading at a glance. */
function grants(principal: string): string[] {
  return hubAcls('p.', { nodeIds: ['node-1', 'node-2'], providers: ['DOPA', 'RD'] })
    .filter((a) => a.principal === `User:${principal}`)
    .map((a) => `${op(a.operation)} ${resource(a.resourceType)} ${pattern(a.resourcePatternType)}:${a.resourceName}`)
    .sort();
}

describe('the ACLs each principal gets: only what its role needs', () => {
  it('a connector reads only its own requests with its own group, and writes only replies and dead letters', () => {
    expect(grants('connector.DOPA')).toEqual([
      'DESCRIBE TOPIC LITERAL:p.dead-letter',
      'DESCRIBE TOPIC LITERAL:p.requests.DOPA',
      'DESCRIBE TOPIC PREFIXED:p.replies.',
      'IDEMPOTENT_WRITE CLUSTER LITERAL:kafka-cluster',
      'READ GROUP LITERAL:p.connector.DOPA',
      'READ TOPIC LITERAL:p.requests.DOPA',
      'WRITE TOPIC LITERAL:p.dead-letter',
      'WRITE TOPIC PREFIXED:p.replies.',
    ]);
  });

  it('a node cannot write checkpoints, read requests or another node’s replies', () => {
    const node = grants('node.node-1');
    expect(node).toContain('WRITE TOPIC LITERAL:p.audit');
    expect(node).toContain('WRITE TOPIC LITERAL:p.consent-events');
    expect(node).toContain('READ TOPIC LITERAL:p.replies.node-1');
    expect(node).toContain('READ GROUP PREFIXED:p.node.node-1.');
    expect(node.filter((g) => g.includes('audit-checkpoints') && !g.startsWith('READ') && !g.startsWith('DESCRIBE '))).toEqual([]);
    expect(node.filter((g) => g.startsWith('READ TOPIC') && g.includes('requests'))).toEqual([]);
    expect(node.filter((g) => g.includes('node-2'))).toEqual([]);
  });

  it('only the sequencer writes checkpoints, and DPO tools only read', () => {
    const writers = hubAcls('p.', { nodeIds: ['node-1'], providers: ['DOPA'] }).filter((a) => a.resourceName === 'p.audit-checkpoints' && op(a.operation) === 'WRITE');
    expect(writers.map((a) => a.principal)).toEqual(['User:sequencer']);
    expect(grants('audit-reader').filter((g) => !g.startsWith('READ') && !g.startsWith('DESCRIBE'))).toEqual([]);
  });
});
