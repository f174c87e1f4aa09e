import type { Kafka } from 'kafkajs';
import type { NodeKeyLookup, RecordSigner } from '../crypto/record-signature.ts';
import type { ErrorCode } from '../errors/error-codes.ts';
import type { Logger } from '../log.ts';
import type { BatchingProducer } from './batching-producer.ts';

/** A topic of records signed by nodes, that every node writes and reads back (consent events, claims). */
export interface SignedTopicOptions {
  kafka: Kafka;
  producer: BatchingProducer;
  topic: string;
  deadLetterTopic: string;
  nodeId: string;
  /** Signs the records this node publishes. */
  signer: RecordSigner;
  /** Registered nodes' keys: a record is applied only if one of them signed it. */
  nodeKeys: () => NodeKeyLookup;
  /** Prefix of this node's consumer groups (its principal may use no others). */
  groupPrefix: string;
  /** Called for every record refused (unsigned, badly signed, malformed), after it is dead-lettered. */
  onRejected?: (code: ErrorCode) => void;
  log: Logger;
}
