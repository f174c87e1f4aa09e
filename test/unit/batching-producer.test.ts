import { describe, expect, it } from 'vitest';
import { BatchingProducer, type SendBatch } from '../../lib/kafka/batching-producer.ts';

/** A produce request the test answers by hand, as a broker would: the batches seen, and how many were in flight at once. */
function manualBroker() {
  const batches: { topic: string; value: string }[][] = [];
  const answers: ((error?: Error) => void)[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const send: SendBatch = (batch) => {
    batches.push(batch.map(({ topic, message }) => ({ topic, value: String(message.value) })));
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    return new Promise<void>((resolve, reject) =>
      answers.push((error) => {
        inFlight--;
        if (error) reject(error);
        else resolve();
      }),
    );
  };
  /** Answers the oldest request once it has been sent. */
  const answer = async (error?: Error) => {
    await expect.poll(() => answers.length).toBeGreaterThan(0);
    answers.shift()!(error);
  };
  return { send, batches, answer, maxInFlight: () => maxInFlight };
}

describe('BatchingProducer', () => {
  it('sends the callers of one turn as one request, and what arrives meanwhile as the next: one request in flight', async () => {
    const broker = manualBroker();
    const producer = new BatchingProducer(broker.send);
    const first = [producer.send('claims', { value: 'a' }), producer.send('audit', { value: 'b' })];
    await expect.poll(() => broker.batches.length).toBe(1);
    const second = [producer.send('claims', { value: 'c' }), producer.send('claims', { value: 'd' }), producer.send('audit', { value: 'e' })];
    expect(producer.queued).toBe(3);
    await broker.answer();
    await Promise.all(first);
    await broker.answer();
    await Promise.all(second);
    expect(broker.batches).toEqual([
      [{ topic: 'claims', value: 'a' }, { topic: 'audit', value: 'b' }],
      [{ topic: 'claims', value: 'c' }, { topic: 'claims', value: 'd' }, { topic: 'audit', value: 'e' }],
    ]);
    expect(broker.maxInFlight()).toBe(1);
    expect(producer.queued).toBe(0);
  });

  it('keeps a request under maxBatch messages and maxBatchBytes, in order', async () => {
    const broker = manualBroker();
    // 100-byte values count 164 bytes each with the per-record allowance: two fit 400 bytes.
    const producer = new BatchingProducer(broker.send, { maxQueued: 100, maxBatch: 3, maxBatchBytes: 400 });
    const sends = ['1', '2', '3', '4', '5'].map((n) => producer.send('requests', { value: n.padEnd(100, '.') }));
    for (let i = 0; i < 3; i++) await broker.answer();
    await Promise.all(sends);
    expect(broker.batches.map((b) => b.map((m) => m.value[0]))).toEqual([['1', '2'], ['3', '4'], ['5']]);
  });

  it('fails exactly the callers of a failed request, and goes on with the next', async () => {
    const broker = manualBroker();
    const producer = new BatchingProducer(broker.send);
    const lost = producer.send('claims', { value: 'a' });
    await expect.poll(() => broker.batches.length).toBe(1);
    const next = producer.send('claims', { value: 'b' });
    await broker.answer(new Error('broker said no'));
    await expect(lost).rejects.toThrow('broker said no');
    await broker.answer();
    await expect(next).resolves.toBeUndefined();
  });

  it('refuses with ERR_OVERLOADED past maxQueued instead of growing without bound', async () => {
    const broker = manualBroker();
    const producer = new BatchingProducer(broker.send, { maxQueued: 2, maxBatch: 1, maxBatchBytes: 1_000 });
    const inFlight = producer.send('audit', { value: 'in flight' });
    await expect.poll(() => broker.batches.length).toBe(1);
    const waiting = [producer.send('audit', { value: 'q1' }), producer.send('audit', { value: 'q2' })];
    await expect(producer.send('audit', { value: 'one too many' })).rejects.toMatchObject({ code: 'ERR_OVERLOADED' });
    for (let i = 0; i < 3; i++) await broker.answer();
    await Promise.all([inFlight, ...waiting]);
    expect(broker.batches.flat().map((m) => m.value)).toEqual(['in flight', 'q1', 'q2']);
  });
});
