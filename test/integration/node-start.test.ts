import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testKafka } from '../helpers/test-kafka.ts';
import { HubFixture } from '../helpers/hub-fixture.ts';

describe('a node whose start fails half-way', () => {
  let hub: HubFixture;
  beforeAll(async () => {
    hub = await HubFixture.start({ connectors: [] });
  });
  afterAll(() => hub?.stop());

  it('says why and leaves no consumer group member behind', async () => {
    const first = hub.node;
    // The gRPC port is taken: everything before it has started by then.
    await expect(hub.startNode({ nodeId: 'node-3', listen: hub.address })).rejects.toThrow(/bind|address|in use|No address added/i);
    hub.node = first;
    const admin = testKafka().admin();
    await admin.connect();
    const { groups } = await admin.describeGroups([`${hub.topicPrefix}node.node-3`, `${hub.topicPrefix}audit-sequencer`]);
    await admin.disconnect();
    expect(groups.find((g) => g.groupId.endsWith('node.node-3'))?.members).toEqual([]);
    // Only the healthy node is left sequencing.
    expect(groups.find((g) => g.groupId.endsWith('audit-sequencer'))?.members).toHaveLength(1);
  });
});
