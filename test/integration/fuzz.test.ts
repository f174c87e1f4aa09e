import { randomUUID } from 'node:crypto';
import { status, type ServiceError } from '@grpc/grpc-js';
import fc from 'fast-check';
import type { KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isErrorCode } from '../../lib/errors/error-codes.ts';
import { DLQ_HEADERS } from '../../lib/kafka/dead-letter.ts';
import { HubFixture, SOMSRI } from '../helpers/hub-fixture.ts';
import { KafkaTap, produce } from '../helpers/kafka-tap.ts';
import { generateKeyPairSync } from 'node:crypto';
import { formatCheckpoint } from '../../lib/merkle/checkpoint.ts';
import { noteSigner, signNote } from '../../lib/merkle/signed-note.ts';

const header = (m: KafkaMessage, name: string) => m.headers?.[name]?.toString() ?? '';
const anyText = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40, unit: 'grapheme' }), fc.constantFrom('', SOMSRI, 'dopa.civil-registration.person', 'WELFARE_ELIGIBILITY', '../../etc/passwd', '%00', 'x'.repeat(5000)));

/** A failed call must be a clean, coded refusal: never an internal error, never a crash. */
function expectCleanRefusal(error: ServiceError): void {
  expect([status.INTERNAL, status.UNKNOWN]).not.toContain(error.code);
  if (error.code !== status.RESOURCE_EXHAUSTED) expect(isErrorCode(error.metadata?.get('xhub-error-code')[0])).toBe(true);
}

describe('bad input: property-based fuzzing and poison messages', () => {
  let hub: HubFixture;
  let deadLetters: KafkaTap;

  beforeAll(async () => {
    hub = await HubFixture.start({ connectors: ['DOPA'] });
    deadLetters = await KafkaTap.open('admin', `${hub.topicPrefix}dead-letter`);
  });
  afterAll(async () => {
    await deadLetters?.close();
    await hub?.stop();
  });

  const stillServing = async () => {
    const response = await (await hub.client('FPO')).requestRecord({ subject: SOMSRI, recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() });
    expect(response.providerId).toBe('DOPA');
  };

  it('RequestRecord with random and malformed fields gets clean refusals and the node keeps serving', async () => {
    const fpo = await hub.client('FPO');
    await fc.assert(
      fc.asyncProperty(
        fc.record({ subject: anyText, recordType: anyText, purpose: anyText, fields: fc.array(anyText, { maxLength: 300 }), clientRequestId: anyText, consentId: anyText }),
        async (request) => {
          const error = await fpo.requestRecord(request, { timeoutMs: 3_000 }).then(() => undefined, (e: ServiceError) => e);
          if (error) expectCleanRefusal(error);
        },
      ),
      { numRuns: 150 },
    );
    await stillServing();
  });

  it('oversized messages and garbage tokens are refused without harm', async () => {
    const fpo = await hub.client('FPO');
    const huge = await fpo.requestRecord({ subject: SOMSRI, recordType: 'x'.repeat(200_000), purpose: 'P', clientRequestId: 'a' }).then(() => undefined, (e: ServiceError) => e);
    expect(huge?.code).toBe(status.RESOURCE_EXHAUSTED);
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 400 }).filter((s) => /^[A-Za-z0-9_.-]+$/.test(s)), async (token) => {
        const error = await fpo.requestRecord({ subject: SOMSRI, recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() }, { token }).then(() => undefined, (e: ServiceError) => e);
        expect(error?.code).toBe(status.UNAUTHENTICATED);
      }),
      { numRuns: 50 },
    );
    await stillServing();
  });

  it('Consent.Grant with random input gets clean refusals', async () => {
    const dga = await hub.consentClient();
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          subject: anyText,
          consumer: anyText,
          items: fc.array(fc.record({ recordType: anyText, provider: anyText }), { maxLength: 5 }),
          purposes: fc.array(anyText, { maxLength: 5 }),
          validFrom: anyText,
          validTo: anyText,
          dataLifeDays: fc.nat(),
          maxUses: fc.nat(),
          noticeVersion: anyText,
        }),
        async (request) => {
          const error = await dga.call('Grant', request).then(() => undefined, (e: ServiceError) => e);
          expect(error, 'a random grant was accepted').toBeDefined();
          expectCleanRefusal(error!);
        },
      ),
      { numRuns: 100 },
    );
  });

  it.each([
    ['the node reply topic', 'replies.node-1', 'ERR_MESSAGE_MALFORMED'],
    // Unsigned bytes on the consent topic are refused before their shape is even looked at.
    ['the consent topic', 'consent-events', 'ERR_RECORD_SIGNATURE_INVALID'],
    ["a provider's request topic", 'requests.DOPA', 'ERR_ENVELOPE_MALFORMED'],
  ])('poison on %s goes to the dead-letter topic with its reason and nothing stalls', async (_name, topic, reason) => {
    const poison = `poison-${randomUUID()}\u0000{{{`;
    await produce('admin', `${hub.topicPrefix}${topic}`, poison, { 'xhub-exchange-id': 'not-pending' });
    const letter = await deadLetters.waitFor((m) => header(m, DLQ_HEADERS.source).startsWith(`${hub.topicPrefix}${topic}/`) && m.headers?.[DLQ_HEADERS.digest] !== undefined && header(m, DLQ_HEADERS.reason) === reason, 10_000);
    expect(header(letter, DLQ_HEADERS.message).length).toBeGreaterThan(0);
    await stillServing();
  });

  it('a well-formed checkpoint signed by another key is neither served nor followed', async () => {
    // The node's own origin: only the key is wrong.
    const origin = hub.node.config.auditOrigin;
    const forger = noteSigner(origin, generateKeyPairSync('ed25519').privateKey);
    const note = signNote(formatCheckpoint({ origin, size: 1_000_000_000, root: Buffer.alloc(32) }), forger);
    const pdpc = await hub.auditClient();
    const signedSize = async () => Number((await pdpc.call<{ size: string }>('GetCheckpoint', {}).catch(() => ({ size: '0' }))).size);
    await stillServing();
    await produce('admin', `${hub.topicPrefix}audit-checkpoints`, JSON.stringify({ v: 1, note, from: 999_999_999, leaves: [Buffer.alloc(32).toString('base64')] }));
    const before = await signedSize();
    await stillServing();
    const deadline = Date.now() + 10_000;
    let after = before;
    while (after <= before && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      after = await signedSize();
    }
    // The sequencer keeps signing the real log, and the forged size never reaches auditors.
    expect(after).toBeGreaterThan(before);
    expect(after).toBeLessThan(1_000_000_000);
  });

  it('poison on the checkpoint and audit topics does not stop the sequencer or the index', async () => {
    await produce('admin', `${hub.topicPrefix}audit-checkpoints`, '{not json');
    await produce('admin', `${hub.topicPrefix}audit`, '{"kind":"forged"');
    await stillServing();
    const pdpc = await hub.auditClient();
    const before = Number((await pdpc.call<{ size: string }>('GetCheckpoint', {})).size);
    await stillServing();
    const deadline = Date.now() + 10_000;
    let after = before;
    while (after <= before && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      after = Number((await pdpc.call<{ size: string }>('GetCheckpoint', {})).size);
    }
    expect(after).toBeGreaterThan(before);
    // The index keeps the poison at its position (verify reports it) and indexes what follows,
    // but never serves it as a fact: it is dead-lettered as unsigned instead.
    const served = await pdpc.call<{ entries: { entryJson: string }[] }>('Query', { pageSize: 1000 });
    expect(served.entries.length).toBeGreaterThan(0);
    expect(served.entries.map((e) => e.entryJson)).not.toContain('{"kind":"forged"');
    const letter = await deadLetters.waitFor((m) => header(m, DLQ_HEADERS.source).startsWith(`${hub.topicPrefix}audit/`) && header(m, DLQ_HEADERS.reason) === 'ERR_RECORD_SIGNATURE_INVALID', 10_000);
    expect(header(letter, DLQ_HEADERS.message)).toMatch(/not JSON/);
  });
});
