import type { Message, Producer, ProducerBatch, RecordMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { BatchingProducer } from '../../lib/kafka/batching-producer.ts';
import { kafkajsSendBatch } from '../../lib/kafka/kafkajs-send.ts';

/**
 * A producer that behaves as kafkajs does when a partition leader dies in the
 * middle of a batch (kafkajs#1303): sendBatch resolves, but the partitions of
 * the dead leader are missing from the acknowledgements because they were never
 * sent. `dropFirst` partitions are dropped that many times, then sent.
 */
function losingProducer(dropFirst: number, partitionOf: (m: Message) => number) {
  const sent: { topic: string; values: string[] }[][] = [];
  let drops = dropFirst;
  const producer = {
    async sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
      sent.push(batch.topicMessages!.map((t) => ({ topic: t.topic, values: t.messages.map((m) => String(m.value)) })));
      const partitions = batch.topicMessages!.flatMap((t) => t.messages.map((m) => ({ topicName: t.topic, partition: partitionOf(m), errorCode: 0 })));
      const lose = drops-- > 0;
      return partitions.filter((p) => !(lose && p.topicName === 'requests' && p.partition === 1));
    },
  } as unknown as Producer;
  return { producer, sent };
}

const byKey = (m: Message) => Number(m.key) % 3;

describe('kafkajsSendBatch under a partition leader that dies mid-batch (kafkajs#1303)', () => {
  it('sends again exactly what no broker acknowledged, and resolves every caller once it is on Kafka', async () => {
    const { producer, sent } = losingProducer(1, byKey);
    let resent = 0;
    const batching = new BatchingProducer(kafkajsSendBatch(producer, byKey, (n) => (resent += n)));
    const sends = [
      batching.send('requests', { key: '0', value: 'a' }),
      batching.send('requests', { key: '1', value: 'b' }),
      batching.send('audit', { key: '1', value: 'entry' }),
      batching.send('requests', { key: '4', value: 'c' }),
    ];
    await Promise.all(sends);
    expect(sent).toHaveLength(2);
    // Partition 1 of requests alone, whole and in order: the same sequence numbers as before.
    expect(sent[1]).toEqual([{ topic: 'requests', values: ['b', 'c'] }]);
    expect(resent).toBe(2);
  });

  it('fails the batch with ERR_KAFKA_UNAVAILABLE when the messages are never acknowledged', async () => {
    const { producer, sent } = losingProducer(100, byKey);
    const batching = new BatchingProducer(kafkajsSendBatch(producer, byKey));
    const lost = batching.send('requests', { key: '1', value: 'b' });
    await expect(lost).rejects.toMatchObject({ code: 'ERR_KAFKA_UNAVAILABLE' });
    expect(sent).toHaveLength(6);
  });

  it('without partition lookups it trusts sendBatch as before', async () => {
    const { producer, sent } = losingProducer(1, byKey);
    await new BatchingProducer(kafkajsSendBatch(producer)).send('requests', { key: '1', value: 'b' });
    expect(sent).toHaveLength(1);
  });
});
