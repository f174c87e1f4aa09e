import kafkajs from 'kafkajs';
import { testKafka } from './test-kafka.ts';

// kafkajs is CommonJS: its ACL enums are not named exports under Node's ESM loader.
const { AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } = kafkajs;

/**
 * Takes `principal`'s rights on one topic away (every right, or only `operation`),
 * as an operator's mistake or a broker-side fault would: a fault that needs no
 * network cut. The hub fixture's `provision()` gives them back.
 */
export async function revokeTopicRights(topic: string, principal: string, operation: 'ANY' | 'WRITE' | 'READ' = 'ANY'): Promise<void> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    await admin.deleteAcls({
      filters: [
        {
          resourceType: AclResourceTypes.TOPIC,
          resourceName: topic,
          resourcePatternType: ResourcePatternTypes.LITERAL,
          principal: `User:${principal}`,
          host: '*',
          operation: AclOperationTypes[operation],
          permissionType: AclPermissionTypes.ANY,
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
}
