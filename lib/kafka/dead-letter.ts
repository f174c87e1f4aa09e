import type { ErrorCode } from '../errors/error-codes.ts';
import type { BatchingProducer } from './batching-producer.ts';

export const DLQ_HEADERS = {
  reason: 'xhub-dlq-reason',
  message: 'xhub-dlq-message',
  source: 'xhub-dlq-source',
  by: 'xhub-dlq-by',
} as const;

export interface DeadLetter {
  code: ErrorCode;
  message: string;
  source: { topic: string; partition: number; offset: string };
  by: string;
  value: Buffer | null;
}

/** Parks a message that cannot be processed, with its reason, so it never stalls its partition. */
export function sendDeadLetter(producer: BatchingProducer, topic: string, letter: DeadLetter): Promise<void> {
  return producer.send(topic, {
    value: letter.value,
    headers: {
      [DLQ_HEADERS.reason]: letter.code,
      [DLQ_HEADERS.message]: letter.message,
      [DLQ_HEADERS.source]: `${letter.source.topic}/${letter.source.partition}/${letter.source.offset}`,
      [DLQ_HEADERS.by]: letter.by,
    },
  });
}
