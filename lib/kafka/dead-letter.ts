import type { ErrorCode } from '../errors/error-codes.ts';
import { sha256b64url } from '../crypto/digest.ts';
import type { BatchingProducer } from './batching-producer.ts';

export const DLQ_HEADERS = {
  reason: 'xhub-dlq-reason',
  message: 'xhub-dlq-message',
  source: 'xhub-dlq-source',
  by: 'xhub-dlq-by',
  digest: 'xhub-dlq-digest',
} as const;

export interface DeadLetter {
  code: ErrorCode;
  message: string;
  source: { topic: string; partition: number; offset: string };
  by: string;
  value: Buffer | null;
}

/** Who is told of each dead letter a producer made durable (a component's metrics). */
const observers = new WeakMap<BatchingProducer, (code: ErrorCode) => void>();

/**
 * Calls `onSent` with the reason of every dead letter sent through `producer`
 * once Kafka has it: every caller of sendDeadLetter is counted, in this one place.
 */
export function observeDeadLetters(producer: BatchingProducer, onSent: (code: ErrorCode) => void): void {
  observers.set(producer, onSent);
}

/**
 * Parks a message that cannot be processed, with its reason, so it never
 * stalls its partition. Only a digest of the message is kept: a request holds
 * a citizen id, and dead letters live far longer than requests (PDPA storage
 * limitation). The digest finds the original in the source topic while it lasts.
 */
export function sendDeadLetter(producer: BatchingProducer, topic: string, letter: DeadLetter): Promise<void> {
  const sent = producer.send(topic, {
    value: null,
    headers: {
      [DLQ_HEADERS.digest]: sha256b64url(letter.value ?? ''),
      [DLQ_HEADERS.reason]: letter.code,
      [DLQ_HEADERS.message]: letter.message,
      [DLQ_HEADERS.source]: `${letter.source.topic}/${letter.source.partition}/${letter.source.offset}`,
      [DLQ_HEADERS.by]: letter.by,
    },
  });
  return sent.then(() => observers.get(producer)?.(letter.code));
}
