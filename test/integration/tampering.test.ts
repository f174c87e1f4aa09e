import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSigningKeyFile, type SigningKey } from '../../lib/crypto/keys.ts';
import type { RequestEnvelope, ResponseEnvelope } from '../../lib/envelope/envelope.types.ts';
import { signRequestEnvelope } from '../../lib/envelope/request-envelope.ts';
import { requestDigest, signResponseEnvelope, subjectDigest } from '../../lib/envelope/response-envelope.ts';
import { DLQ_HEADERS } from '../../lib/kafka/dead-letter.ts';
import { canonicalJson, sha256b64url } from '../../lib/crypto/digest.ts';
import { signReceipt } from '../../lib/envelope/receipt.ts';
import { expectFailure } from '../helpers/grpc-error.ts';
import { HubFixture, SOMCHAI, SOMSRI } from '../helpers/hub-fixture.ts';
import { KafkaTap, produce } from '../helpers/kafka-tap.ts';

const header = (m: KafkaMessage, name: string) => m.headers?.[name]?.toString() ?? '';

function tamperPayload(jws: string, edit: (payload: Record<string, unknown>) => void): string {
  const [h, p, s] = jws.split('.');
  const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
  edit(payload);
  return `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
}

describe('a tampered hub signature at the connector', () => {
  let hub: HubFixture;
  let hubKey: SigningKey;
  let deadLetters: KafkaTap;
  let replies: KafkaTap;

  beforeAll(async () => {
    hub = await HubFixture.start({ connectors: ['DOPA', 'RD'] });
    hubKey = await loadSigningKeyFile(hub.demo.hubKeyFile);
    deadLetters = await KafkaTap.open('admin', `${hub.topicPrefix}dead-letter`);
    replies = await KafkaTap.open('admin', `${hub.topicPrefix}replies.node-1`);
  });
  afterAll(async () => {
    await deadLetters?.close();
    await replies?.close();
    await hub?.stop();
  });

  const envelope = (): RequestEnvelope => ({
    v: 1,
    exchangeId: randomUUID(),
    nodeId: 'node-1',
    replyTopic: `${hub.topicPrefix}replies.node-1`,
    consumer: 'FPO',
    provider: 'DOPA',
    recordType: 'dopa.civil-registration.person',
    subject: SOMSRI,
    purpose: 'WELFARE_ELIGIBILITY',
    fields: ['firstNameTh'],
    clientRequestId: randomUUID(),
    lawfulBasis: 'public-task',
    iat: Date.now(),
    exp: Date.now() + 30_000,
  });

  it('is dead-lettered with its reason and never reaches the backend', async () => {
    const genuine = await signRequestEnvelope(envelope(), hubKey);
    // Someone with write access to the topic widens the field list and changes the subject.
    const tampered = tamperPayload(genuine, (p) => {
      p.subject = SOMCHAI;
      p.fields = ['firstNameTh', 'gender', 'nationality'];
    });
    await produce('admin', `${hub.topicPrefix}requests.DOPA`, tampered);
    const letter = await deadLetters.waitFor((m) => header(m, DLQ_HEADERS.digest) === sha256b64url(tampered));
    expect(header(letter, DLQ_HEADERS.reason)).toBe('ERR_ENVELOPE_SIGNATURE_INVALID');
    expect(letter.value).toBeNull();
    expect(header(letter, DLQ_HEADERS.source)).toMatch(new RegExp(`^${hub.topicPrefix}requests\\.DOPA/\\d+/\\d+$`));
    expect(hub.backends.get('DOPA')!.calls.get(SOMCHAI)).toBeUndefined();
  });

  it('rejects an envelope signed by a key that is not the hub key', async () => {
    const dopaKey = await hub.key('DOPA');
    const forged = await signRequestEnvelope(envelope(), { kid: hubKey.kid, key: dopaKey.key });
    await produce('admin', `${hub.topicPrefix}requests.DOPA`, forged);
    const letter = await deadLetters.waitFor((m) => header(m, DLQ_HEADERS.digest) === sha256b64url(forged));
    expect(header(letter, DLQ_HEADERS.reason)).toBe('ERR_ENVELOPE_SIGNATURE_INVALID');
  });

  it('dead-letters poison bytes and keeps serving the partition', async () => {
    await produce('admin', `${hub.topicPrefix}requests.DOPA`, '\u0000not a jws{');
    const letter = await deadLetters.waitFor((m) => header(m, DLQ_HEADERS.digest) === sha256b64url('\u0000not a jws{'));
    expect(header(letter, DLQ_HEADERS.reason)).toBe('ERR_ENVELOPE_MALFORMED');
    const fpo = await hub.client('FPO');
    const response = await fpo.requestRecord({ subject: SOMSRI, recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() });
    expect(response.providerId).toBe('DOPA');
  });

  it.each([
    ['claims consent but names none', { lawfulBasis: 'consent' }],
    ['claims a basis that is not the agreement’s', { lawfulBasis: 'public-task' }],
    ['names a consent for another purpose', { lawfulBasis: 'consent', consent: { id: 'c-1', consumer: 'MOPH', purposes: ['TAX_ASSESSMENT'], recordTypes: ['rd.income-tax.annual-summary'] } }],
  ])('the provider refuses a hub-signed request that %s, without reaching its backend', async (_name, basis) => {
    const e: RequestEnvelope = {
      ...envelope(),
      consumer: 'MOPH',
      provider: 'RD',
      recordType: 'rd.income-tax.annual-summary',
      purpose: 'PUBLIC_HEALTH_SERVICE',
      fields: ['taxYear'],
      ...basis,
    };
    await produce('admin', `${hub.topicPrefix}requests.RD`, await signRequestEnvelope(e, hubKey));
    const reply = await replies.waitFor((m) => header(m, 'xhub-exchange-id') === e.exchangeId);
    const payload = JSON.parse(Buffer.from(reply.value!.toString().split('.')[1]!, 'base64url').toString());
    expect(payload).toMatchObject({ outcome: 'error', error: { code: 'ERR_CONSENT_ENVELOPE_MISMATCH' } });
    expect(hub.backends.get('RD')!.total).toBe(0);
  });

  it('drops a replayed envelope: the backend is reached once', async () => {
    const e = { ...envelope(), subject: '3700600111227' };
    const jws = await signRequestEnvelope(e, hubKey);
    await produce('admin', `${hub.topicPrefix}requests.DOPA`, jws);
    await produce('admin', `${hub.topicPrefix}requests.DOPA`, jws);
    const letter = await deadLetters.waitFor((m) => header(m, DLQ_HEADERS.digest) === sha256b64url(jws));
    expect(header(letter, DLQ_HEADERS.reason)).toBe('ERR_ENVELOPE_REPLAYED');
    expect(hub.backends.get('DOPA')!.calls.get('3700600111227')).toBe(1);
  });
});

type Mode = 'wrong-key' | 'edited-record' | 'wrong-binding' | 'extra-field' | 'forged-then-genuine' | 'no-receipt' | 'receipt-wrong-key' | 'receipt-other-record' | 'receipt-other-fields';

describe('a tampered provider response at the node', () => {
  let hub: HubFixture;
  let rogue: KafkaTap;
  let mode: Mode = 'wrong-key';

  beforeAll(async () => {
    // No RD connector: the test answers RD's requests itself, as an attacker would.
    hub = await HubFixture.start({ connectors: [] });
    const rdKey = await hub.key('RD');
    const fpoKey = await hub.key('FPO');
    rogue = await KafkaTap.open('admin', `${hub.topicPrefix}requests.RD`, async (message) => {
      const requestJws = message.value!.toString();
      const request = JSON.parse(Buffer.from(requestJws.split('.')[1]!, 'base64url').toString()) as RequestEnvelope;
      const record: Record<string, unknown> = { taxYear: 2025, assessableIncome: 182000, filingStatus: 'filed' };
      if (mode === 'extra-field') record.taxPaid = 0;
      const bound = { exchangeId: request.exchangeId, provider: 'RD', consumer: request.consumer, recordType: request.recordType, requestDigest: requestDigest(requestJws) };
      const receipt = await signReceipt(
        {
          v: 1,
          ...bound,
          payloadDigest: sha256b64url(canonicalJson(mode === 'receipt-other-record' ? { ...record, assessableIncome: 1 } : record)),
          fields: mode === 'receipt-other-fields' ? ['taxYear'] : Object.keys(record),
          iat: Date.now(),
        },
        mode === 'receipt-wrong-key' ? { kid: rdKey.kid, key: fpoKey.key } : rdKey,
      );
      const response: ResponseEnvelope = {
        v: 1,
        ...bound,
        requestDigest: mode === 'wrong-binding' ? requestDigest('some other request') : bound.requestDigest,
        subjectDigest: subjectDigest(request.exchangeId, request.subject),
        clientRequestId: request.clientRequestId,
        iat: Date.now(),
        outcome: 'delivered',
        fields: Object.keys(record),
        record,
        receipt,
      };
      // A provider that signs no receipt: the shape is refused (an older connector, or one that hides what it sent).
      if (mode === 'no-receipt') delete (response as Partial<typeof response>).receipt;
      const forged = mode === 'wrong-key' || mode === 'forged-then-genuine';
      let jws = await signResponseEnvelope(response, forged ? { kid: rdKey.kid, key: fpoKey.key } : rdKey);
      if (mode === 'edited-record') jws = tamperPayload(jws, (p) => ((p.record as Record<string, unknown>).assessableIncome = 1));
      await produce('admin', request.replyTopic, jws, { 'xhub-exchange-id': request.exchangeId });
      if (mode === 'forged-then-genuine') {
        await produce('admin', request.replyTopic, await signResponseEnvelope(response, rdKey), { 'xhub-exchange-id': request.exchangeId });
      }
    });
  });
  afterAll(async () => {
    await rogue?.close();
    await hub?.stop();
  });

  // A refused reply does not end the wait (anyone able to write the reply topic
  // could otherwise abort exchanges): the refusal is reported at the deadline.
  const ask = async () =>
    (await hub.client('FPO')).requestRecord(
      { subject: SOMSRI, recordType: 'rd.income-tax.annual-summary', purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() },
      { timeoutMs: 2_000 },
    );

  it('accepts the genuine reply that follows a forged one', async () => {
    mode = 'forged-then-genuine';
    const response = await ask();
    expect(JSON.parse(response.recordJson)).toEqual({ taxYear: 2025, assessableIncome: 182000, filingStatus: 'filed' });
  });

  it('refuses a response signed with a key that is not the provider key', async () => {
    mode = 'wrong-key';
    await expectFailure(ask(), status.DATA_LOSS, 'ERR_PROVIDER_SIGNATURE_INVALID');
  });

  it('refuses a response whose record was changed after signing', async () => {
    mode = 'edited-record';
    await expectFailure(ask(), status.DATA_LOSS, 'ERR_PROVIDER_SIGNATURE_INVALID');
  });

  it('refuses a validly signed response bound to another request', async () => {
    mode = 'wrong-binding';
    await expectFailure(ask(), status.DATA_LOSS, 'ERR_PROVIDER_BINDING_MISMATCH');
  });

  it('refuses a delivery without the provider\'s receipt, or with a receipt that is not the provider\'s or not of this delivery (the audit log and evidence bundles keep it)', async () => {
    mode = 'no-receipt';
    expect(await expectFailure(ask(), status.DATA_LOSS, 'ERR_PROVIDER_BINDING_MISMATCH')).toMatch(/receipt/);
    mode = 'receipt-wrong-key';
    expect(await expectFailure(ask(), status.DATA_LOSS, 'ERR_PROVIDER_SIGNATURE_INVALID')).toMatch(/receipt/);
    mode = 'receipt-other-record';
    expect(await expectFailure(ask(), status.DATA_LOSS, 'ERR_PROVIDER_BINDING_MISMATCH')).toMatch(/receipt .*payloadDigest/);
    mode = 'receipt-other-fields';
    expect(await expectFailure(ask(), status.DATA_LOSS, 'ERR_PROVIDER_BINDING_MISMATCH')).toMatch(/receipt .*fields/);
  });

  it('refuses a validly signed response carrying fields beyond the agreement', async () => {
    mode = 'extra-field';
    expect(await expectFailure(ask(), status.DATA_LOSS, 'ERR_PROVIDER_FIELDS_MISMATCH')).toContain('taxPaid');
  });
});
