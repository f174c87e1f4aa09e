import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { status, type ServiceError } from '@grpc/grpc-js';
import { compactVerify, createLocalJWKSet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFailure } from '../helpers/grpc-error.ts';
import { grant } from '../helpers/consent-grant.ts';
import { HubFixture, SOMCHAI, SOMSRI } from '../helpers/hub-fixture.ts';
import { testKafka } from '../helpers/test-kafka.ts';

const INCOME = 'rd.income-tax.annual-summary';
const DAY = 86_400_000;
type Granted = { consent: { consentId: string; status: string; subjectRef: string; explicit: boolean }; receipt: string };

describe('consent: grant, use, withdraw', () => {
  let hub: HubFixture;

  beforeAll(async () => {
    hub = await HubFixture.start({ connectors: ['RD', 'MOPH'] });
  });
  afterAll(() => hub?.stop());

  const income = async (consentId: string, subject = SOMSRI) =>
    (await hub.client('MOPH')).requestRecord({ subject, recordType: INCOME, purpose: 'PUBLIC_HEALTH_SERVICE', consentId, clientRequestId: randomUUID() });

  it('grants a consent with a receipt signed by the node, and the exchange it covers goes through', async () => {
    const dga = await hub.consentClient();
    const { consent, receipt } = await dga.call<Granted>('Grant', grant(SOMSRI));
    expect(consent.status).toBe('ACTIVE');
    expect(consent.subjectRef).not.toContain(SOMSRI);
    const hubJwks = JSON.parse(await readFile(join(hub.demo.policiesDir, 'keys', 'hub.jwks.json'), 'utf8'));
    const { payload } = await compactVerify(receipt, createLocalJWKSet(hubJwks));
    const body = JSON.parse(new TextDecoder().decode(payload));
    expect(body).toMatchObject({ consentReceiptID: consent.consentId, jurisdiction: 'TH', collectionMethod: 'mobile-app', notice: { version: 'moph-income-notice-v3' } });
    // Granted without `explicit`: the receipt says so (Kantara consentType).
    expect(body.services[0].purposes[0]).toMatchObject({ purpose: 'PUBLIC_HEALTH_SERVICE', consentType: 'IMPLICIT', thirdPartyName: 'RD' });

    const response = await income(consent.consentId);
    expect(JSON.parse(response.recordJson)).toEqual({ taxYear: 2025, assessableIncome: 182000 });
  });

  it('denies a consent-based request that names no consent, or another person’s consent', async () => {
    const dga = await hub.consentClient();
    const { consent } = await dga.call<Granted>('Grant', grant(SOMSRI));
    await expectFailure(income(''), status.PERMISSION_DENIED, 'ERR_CONSENT_REQUIRED');
    await expectFailure(income(consent.consentId, SOMCHAI), status.PERMISSION_DENIED, 'ERR_CONSENT_SUBJECT_MISMATCH');
  });

  it('takes a withdrawal into effect at once on the node that accepted it', async () => {
    const dga = await hub.consentClient();
    const { consent } = await dga.call<Granted>('Grant', grant(SOMSRI));
    await income(consent.consentId);
    const revoked = await dga.call<{ status: string }>('Revoke', { consentId: consent.consentId, subject: SOMSRI, reason: 'changed my mind' });
    expect(revoked.status).toBe('REVOKED');
    const details = await expectFailure(income(consent.consentId), status.PERMISSION_DENIED, 'ERR_CONSENT_REVOKED');
    expect(details).toMatch(/rule consent-covers-request; agreements\.json#\/agreements\/\d+/);
  });

  it('takes a withdrawal whose reason is long, ends mid-emoji or holds a lone surrogate (was INTERNAL: the cut reason could not be signed)', async () => {
    const dga = await hub.consentClient();
    for (const reason of [`${'a'.repeat(511)}😀 and more`, 'oops \ud800 half a character']) {
      const { consent } = await dga.call<Granted>('Grant', grant(SOMSRI));
      const revoked = await dga.call<{ status: string }>('Revoke', { consentId: consent.consentId, subject: SOMSRI, reason });
      expect(revoked.status).toBe('REVOKED');
      await expectFailure(income(consent.consentId), status.PERMISSION_DENIED, 'ERR_CONSENT_REVOKED');
    }
  });

  it('counts uses: a consent for two transfers allows two', async () => {
    const dga = await hub.consentClient();
    const { consent } = await dga.call<Granted>('Grant', grant(SOMSRI, { maxUses: 2 }));
    await income(consent.consentId);
    await income(consent.consentId);
    await expectFailure(income(consent.consentId), status.PERMISSION_DENIED, 'ERR_CONSENT_USES_EXHAUSTED');
    expect((await dga.call<{ uses: number }>('Get', { consentId: consent.consentId })).uses).toBe(2);
  });

  it('counts uses under concurrent calls: a consent for three transfers allows three of eight sent at once (issue 11)', async () => {
    const dga = await hub.consentClient();
    const { consent } = await dga.call<Granted>('Grant', grant(SOMSRI, { maxUses: 3 }));
    const rd = hub.backends.get('RD')!;
    const fetchedBefore = rd.byRecord.get(`${INCOME}/${SOMSRI}`) ?? 0;
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () =>
        income(consent.consentId).then(
          () => 'delivered',
          (e: ServiceError) => `${e.code} ${String(e.metadata?.get('xhub-error-code')[0])}`,
        ),
      ),
    );
    expect(outcomes.filter((o) => o === 'delivered')).toHaveLength(3);
    expect(outcomes.filter((o) => o !== 'delivered')).toEqual(Array(5).fill(`${status.PERMISSION_DENIED} ERR_CONSENT_USES_EXHAUSTED`));
    expect((rd.byRecord.get(`${INCOME}/${SOMSRI}`) ?? 0) - fetchedBefore).toBe(3);
    expect((await dga.call<{ uses: number }>('Get', { consentId: consent.consentId })).uses).toBe(3);
  });

  it('covers sensitive data (s.26) only with explicit consent for it', async () => {
    const bma = await hub.client('BMA');
    const ask = (consentId: string) =>
      bma.requestRecord({ subject: SOMSRI, recordType: 'moph.immunization.history', purpose: 'PUBLIC_HEALTH_SERVICE', consentId, clientRequestId: randomUUID() });
    await expectFailure(ask(''), status.PERMISSION_DENIED, 'ERR_CONSENT_REQUIRED');
    const dga = await hub.consentClient();
    const health = (explicit: boolean) => dga.call<Granted>('Grant', grant(SOMSRI, { consumer: 'BMA', items: [{ recordType: 'moph.immunization.history' }], explicit }));
    const implicit = await health(false);
    expect(implicit.consent).toMatchObject({ status: 'ACTIVE', explicit: false });
    expect(await expectFailure(ask(implicit.consent.consentId), status.PERMISSION_DENIED, 'ERR_CONSENT_NOT_EXPLICIT')).toMatch(/rule s26-sensitive-data/);
    const { consent, receipt } = await health(true);
    expect(consent).toMatchObject({ status: 'ACTIVE', explicit: true });
    expect(JSON.parse(Buffer.from(receipt.split('.')[1]!, 'base64url').toString()).services[0].purposes[0].consentType).toBe('EXPLICIT');
    expect(JSON.parse((await ask(consent.consentId)).recordJson).immunizations).toHaveLength(2);
  });

  it('RevokeAll withdraws every active consent of a person, and List shows it', async () => {
    const dga = await hub.consentClient();
    const subject = '3700600111227';
    const a = await dga.call<Granted>('Grant', grant(subject));
    const b = await dga.call<Granted>('Grant', grant(subject, { purposes: ['PUBLIC_HEALTH_SERVICE'], maxUses: 5 }));
    const { revokedConsentIds } = await dga.call<{ revokedConsentIds: string[] }>('RevokeAll', { subject, reason: 'left the programme' });
    expect(revokedConsentIds.sort()).toEqual([a.consent.consentId, b.consent.consentId].sort());
    const { consents } = await dga.call<{ consents: { status: string }[] }>('List', { subject });
    expect(consents.map((c) => c.status)).toEqual(['REVOKED', 'REVOKED']);
  });
});

describe('malformed or unauthorised consent calls', () => {
  let hub: HubFixture;
  const subject = '1509900043212';

  beforeAll(async () => {
    hub = await HubFixture.start({ connectors: [] });
  });
  afterAll(() => hub?.stop());

  const listed = async () => (await (await hub.consentClient()).call<{ consents: { consentId: string; status: string }[] }>('List', { subject })).consents;

  it('get clear errors and change nothing', async () => {
    const dga = await hub.consentClient();
    const { consent } = await dga.call<Granted>('Grant', grant(subject));
    const before = await listed();
    const fpo = await hub.consentClient('FPO');
    await expectFailure(fpo.call('Grant', grant(subject)), status.PERMISSION_DENIED, 'ERR_ROLE_REQUIRED');
    await expectFailure(fpo.call('Revoke', { consentId: consent.consentId, subject }), status.PERMISSION_DENIED, 'ERR_ROLE_REQUIRED');
    await expectFailure(fpo.call('RevokeAll', { subject }), status.PERMISSION_DENIED, 'ERR_ROLE_REQUIRED');
    await expectFailure(dga.call('Grant', grant(subject), { token: 'garbage' }), status.UNAUTHENTICATED, 'ERR_AUTH_MALFORMED');
    await expectFailure(dga.call('Grant', grant('1509900043213')), status.INVALID_ARGUMENT, 'ERR_INVALID_CITIZEN_ID');
    expect(await expectFailure(dga.call('Grant', grant(subject, { purposes: [] })), status.INVALID_ARGUMENT, 'ERR_INVALID_ARGUMENT')).toMatch(/purposes/);
    expect(await expectFailure(dga.call('Grant', grant(subject, { purposes: ['MARKETING'] })), status.INVALID_ARGUMENT, 'ERR_INVALID_ARGUMENT')).toMatch(/MARKETING/);
    expect(await expectFailure(dga.call('Grant', grant(subject, { items: [{ recordType: 'rd.nope' }] })), status.INVALID_ARGUMENT, 'ERR_INVALID_ARGUMENT')).toMatch(/items\[0\]/);
    expect(await expectFailure(dga.call('Grant', grant(subject, { validTo: '2020-01-01T00:00:00Z' })), status.INVALID_ARGUMENT, 'ERR_INVALID_ARGUMENT')).toMatch(/valid_to/);
    expect(await expectFailure(dga.call('Grant', grant(subject, { validTo: 'next year' })), status.INVALID_ARGUMENT, 'ERR_INVALID_ARGUMENT')).toMatch(/RFC 3339/);
    expect(await expectFailure(dga.call('Grant', grant(subject, { collection: null })), status.INVALID_ARGUMENT, 'ERR_INVALID_ARGUMENT')).toMatch(/collection/);
    expect(await expectFailure(dga.call('Grant', grant(subject, { noticeVersion: '' })), status.INVALID_ARGUMENT, 'ERR_INVALID_ARGUMENT')).toMatch(/notice_version/);
    expect(await expectFailure(dga.call('Grant', grant(subject, { consumer: 'DGA' })), status.INVALID_ARGUMENT, 'ERR_INVALID_ARGUMENT')).toMatch(/consumer/);
    await expectFailure(dga.call('Revoke', { consentId: consent.consentId, subject: SOMSRI }), status.PERMISSION_DENIED, 'ERR_CONSENT_SUBJECT_MISMATCH');
    await expectFailure(dga.call('Revoke', { consentId: randomUUID(), subject }), status.NOT_FOUND, 'ERR_NOT_FOUND');
    expect(await listed()).toEqual(before);
    expect(before).toEqual([expect.objectContaining({ consentId: consent.consentId, status: 'ACTIVE' })]);
  });

  it('refuses dates another node could not read back or that are out of bounds, and writes nothing to the consent topic (issue 11)', async () => {
    const dga = await hub.consentClient();
    const admin = testKafka().admin();
    await admin.connect();
    const ends = async () => (await admin.fetchTopicOffsets(`${hub.topicPrefix}consent-events`)).map((p) => `${p.partition}:${p.high}`).sort();
    try {
      const before = await ends();
      const refused = (over: Record<string, unknown>) => expectFailure(dga.call('Grant', grant(subject, over)), status.INVALID_ARGUMENT, 'ERR_INVALID_ARGUMENT');
      const collectedAt = (at: string) => ({ collection: { method: 'paper-form', collectedAt: at, reference: 'form-1' } });
      // Accepted before, then dead-lettered by every node that read it: the consent lived on one node only.
      expect(await refused(collectedAt('1969-12-31T23:59:59Z'))).toMatch(/: collection\.collected_at/);
      expect(await refused(collectedAt(new Date(Date.now() + 3_600_000).toISOString()))).toMatch(/: collection\.collected_at is in the future/);
      expect(await refused({ validTo: new Date(Date.now() + 11 * 365 * DAY).toISOString() })).toMatch(/: valid_to .*longest validity/);
      expect(await refused({ validFrom: new Date(Date.now() + 2 * DAY).toISOString(), validTo: new Date(Date.now() + DAY).toISOString() })).toMatch(/: valid_to must be after valid_from/);
      expect(await ends()).toEqual(before);
    } finally {
      await admin.disconnect();
    }
  });

  it('only consent managers and auditors may read consents', async () => {
    const rd = await hub.consentClient('RD');
    await expectFailure(rd.call('List', { subject }), status.PERMISSION_DENIED, 'ERR_ROLE_REQUIRED');
    const pdpc = await hub.consentClient('PDPC');
    expect((await pdpc.call<{ consents: unknown[] }>('List', { subject })).consents.length).toBe(1);
  });
});
