import { describe, expect, it } from 'vitest';
import { AuditWriter, type AuditFields } from '../../broker/audit/audit-writer.ts';
import { generateAgencyKeyPair, importSigningKey } from '../../lib/crypto/keys.ts';
import { RecordSigner } from '../../lib/crypto/record-signature.ts';
import { BatchingProducer } from '../../lib/kafka/batching-producer.ts';

/** A producer whose requests are recorded (topic of each message, in order) and acknowledged at once. */
function recordingProducer() {
  const requests: string[][] = [];
  const producer = new BatchingProducer(async (batch) => {
    requests.push(batch.map(({ topic }) => topic));
  });
  return { producer, requests };
}

const decision: AuditFields = { kind: 'decision', exchangeId: 'x-1', consumer: 'RD', recordType: 'civil-registration', purpose: 'tax', subjectRef: 'ref', decision: 'permit' };

async function writer(producer: BatchingProducer) {
  const pair = await generateAgencyKeyPair('node-1-key');
  return new AuditWriter(producer, 'audit', new RecordSigner('node-1', await importSigningKey(pair.privateJwk, 'test')));
}

describe('AuditWriter.queued: a request never reaches Kafka ahead of its decision entry', () => {
  it('after queued(), a request sent on the same producer goes out with the entries written before it or after them', async () => {
    const { producer, requests } = recordingProducer();
    const audit = await writer(producer);
    const entries = [audit.append({ ...decision, kind: 'request-received' }), audit.append(decision)];
    await audit.queued();
    const request = producer.send('requests.DOPA', { key: 'k', value: 'envelope' });
    await Promise.all([...entries, request]);
    const sentAt = (topic: string) => requests.findIndex((r) => r.includes(topic));
    const lastAudit = requests.findLastIndex((r) => r.includes('audit'));
    expect(requests.flat().filter((t) => t === 'audit')).toHaveLength(2);
    expect(sentAt('requests.DOPA')).toBeGreaterThanOrEqual(lastAudit);
    // Within one request, the entries come first.
    expect(requests[sentAt('requests.DOPA')]!.at(-1)).toBe('requests.DOPA');
  });

  it('without it, the request overtakes the entries (they are signed a turn later, together): why the exchange waits for it', async () => {
    const { producer, requests } = recordingProducer();
    const audit = await writer(producer);
    const entry = audit.append(decision);
    const request = producer.send('requests.DOPA', { key: 'k', value: 'envelope' });
    await Promise.all([entry, request]);
    expect(requests).toEqual([['requests.DOPA'], ['audit']]);
  });
});
