import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, sha256b64url } from '../../lib/crypto/digest.ts';
import { exchangeMessage } from '../../lib/exchange-client.ts';
import { ensureTopics } from '../../lib/kafka/topics.ts';
import { grant } from '../helpers/consent-grant.ts';
import { testKafka } from '../helpers/test-kafka.ts';
import { HubFixture, SOMCHAI, SOMSRI } from '../helpers/hub-fixture.ts';
import { KafkaTap } from '../helpers/kafka-tap.ts';

describe('audit entries', () => {
  let hub: HubFixture;
  let audit: KafkaTap;

  beforeAll(async () => {
    hub = await HubFixture.start({ connectors: ['DOPA', 'RD'] });
    audit = await KafkaTap.open('admin', `${hub.topicPrefix}audit`);
  });
  afterAll(async () => {
    await audit?.close();
    await hub?.stop();
  });

  const entries = () => audit.messages.map((m) => JSON.parse(m.value!.toString()) as Record<string, unknown>);

  it('record a delivery with the request, the permit and digests of payload and provider signature', async () => {
    const fpo = await hub.client('FPO');
    const response = await fpo.requestRecord({ subject: SOMSRI, recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() });
    // The delivery entry is durable before the answer: it is on the topic now.
    await audit.waitFor((m) => m.value!.toString().includes(`"kind":"delivered"`) && m.value!.toString().includes(response.exchangeId), 5_000);
    const mine = entries().filter((e) => e.exchangeId === response.exchangeId);
    expect(mine.map((e) => e.kind)).toEqual(['request-received', 'decision', 'delivered']);
    expect(mine[1]).toMatchObject({ decision: 'permit', reason: 'PERMIT_LAWFUL_BASIS', rule: 's24-lawful-basis', lawfulBasis: 'public-task', agreementId: 'FPO-DOPA-person-2026', provider: 'DOPA' });
    expect(mine[2]).toMatchObject({
      provider: 'DOPA',
      fields: response.fieldsDelivered,
      payloadDigest: sha256b64url(canonicalJson(JSON.parse(response.recordJson))),
      signatureDigest: sha256b64url(response.providerSignature),
      providerKeyId: response.providerKeyId,
    });
    expect(new Set(mine.map((e) => e.subjectRef)).size).toBe(1);
  });

  it("keep the digest of the consumer's token, its own signature over what it asked for", async () => {
    const fpo = await hub.client('FPO');
    const request = exchangeMessage({ subject: SOMSRI, recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() });
    const token = await fpo.tokenFor('RequestRecord', request);
    const response = await fpo.requestRecord(request, { token });
    await audit.waitFor((m) => m.value!.toString().includes(`"kind":"delivered"`) && m.value!.toString().includes(response.exchangeId), 5_000);
    const received = entries().find((e) => e.exchangeId === response.exchangeId && e.kind === 'request-received');
    expect(received?.tokenDigest).toBe(sha256b64url(token));
    // The token names the request it covers: evidence of exactly what the consumer asked for.
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { req_sha256: string };
    expect(claims.req_sha256).toBe(fpo.digestOf('RequestRecord', request));
  });

  it('record a denial with its reason, rule and policy entry', async () => {
    const bma = await hub.client('BMA');
    await bma.requestRecord({ subject: SOMCHAI, recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() }).catch(() => {});
    const denial = await audit.waitFor((m) => m.value!.toString().includes('"reason":"ERR_NO_AGREEMENT"'), 5_000);
    expect(JSON.parse(denial.value!.toString())).toMatchObject({ kind: 'decision', decision: 'deny', consumer: 'BMA', rule: 'agreement-exists', source: 'agreements.json' });
  });

  it('record consent granted and withdrawn', async () => {
    const dga = await hub.consentClient();
    const { consent } = await dga.call<{ consent: { consentId: string } }>('Grant', grant(SOMSRI));
    await dga.call('Revoke', { consentId: consent.consentId, subject: SOMSRI });
    const kinds = async () => entries().filter((e) => e.consentId === consent.consentId).map((e) => e.kind);
    await audit.waitFor((m) => m.value!.toString().includes('consent-revoked') && m.value!.toString().includes(consent.consentId), 5_000);
    expect(await kinds()).toEqual(['consent-granted', 'consent-revoked']);
  });

  it('never hold a citizen id, a name or a token in the raw bytes of the audit and consent topics', async () => {
    const raw = async (topic: string) => {
      const tap = await KafkaTap.open('admin', topic);
      const admin = testKafka().admin();
      await admin.connect();
      const end = (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
      await admin.disconnect();
      while (tap.messages.length < end) await new Promise((r) => setTimeout(r, 20));
      await tap.close();
      return Buffer.concat(tap.messages.flatMap((m) => [m.key ?? Buffer.alloc(0), m.value ?? Buffer.alloc(0)])).toString('utf8');
    };
    const secrets = [SOMSRI, SOMCHAI, 'สมศรี', 'Jaidee'];
    for (const topic of [`${hub.topicPrefix}audit`, `${hub.topicPrefix}consent-events`]) {
      const raws = await raw(topic);
      // The one JWS an entry may hold is the provider's delivery receipt: digests only, no token, no content.
      const receipts = [...raws.matchAll(/"providerReceipt":"([^"]+)"/g)].map((m) => m[1]!);
      if (topic.endsWith('audit')) expect(receipts.length).toBeGreaterThan(0);
      for (const jws of receipts) {
        const [header, payload] = jws.split('.').map((part) => Buffer.from(part, 'base64url').toString());
        expect(JSON.parse(header!)).toMatchObject({ typ: 'xhub-receipt+jws' });
        expect(Object.keys(JSON.parse(payload!) as object).sort()).toEqual(['consumer', 'exchangeId', 'fields', 'iat', 'payloadDigest', 'provider', 'recordType', 'requestDigest', 'v']);
        for (const secret of secrets) expect(payload, `${secret} in a receipt`).not.toContain(secret);
      }
      const bytes = raws.replace(/"providerReceipt":"[^"]+"/g, '');
      expect(bytes.length).toBeGreaterThan(100);
      for (const secret of [...secrets, 'eyJ']) expect(bytes, `${secret} in ${topic}`).not.toContain(secret);
    }
  });
});

describe('audit topic settings', () => {
  it('a node refuses to run when the audit topic could delete or compact entries', async () => {
    const hub = await HubFixture.start({ connectors: [] });
    const prefix = `bad${randomUUID().slice(0, 8)}.`;
    const admin = testKafka().admin();
    await admin.connect();
    // ensureTopics: kafkajs's createTopics alone can fail on a fresh topic's metadata race (UNKNOWN_TOPIC_OR_PARTITION).
    await ensureTopics(admin, [{ topic: `${prefix}audit`, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '604800000' }] }]);
    await admin.disconnect();
    await hub.provision(prefix);
    await expect(hub.startNode({ nodeId: 'node-3', topicPrefix: prefix })).rejects.toMatchObject({ code: 'ERR_CONFIG_INVALID', message: expect.stringMatching(/retention\.ms is 604800000/) });
    await hub.stop();
  });
});
