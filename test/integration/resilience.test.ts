import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { status, type ServiceError } from '@grpc/grpc-js';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATA } from '../../cli/demo-setup.ts';
import type { Backend } from '../../connectors/backends/backend.types.ts';
import { FileBackend } from '../../connectors/backends/file-backend.ts';
import { RestBackend } from '../../connectors/backends/http/rest-backend.ts';
import { topicNames } from '../../lib/kafka/topics.ts';
import { freePort } from '../../lib/kafka/local-broker.ts';
import { expectFailure } from '../helpers/grpc-error.ts';
import { HubFixture, SOMCHAI, SOMSRI } from '../helpers/hub-fixture.ts';
import { KafkaTap } from '../helpers/kafka-tap.ts';

const PERSON = 'dopa.civil-registration.person';

describe('provider failures end in a clear error within the deadline', () => {
  let hub: HubFixture;
  let slowServer: Server;

  beforeAll(async () => {
    // FPO's backend hangs for 20 s; RD's backend is not listening at all.
    slowServer = createServer((_req, res) => setTimeout(() => res.end('{}'), 20_000));
    await new Promise<void>((resolve) => slowServer.listen(0, '127.0.0.1', resolve));
    const slowUrl = `http://127.0.0.1:${(slowServer.address() as AddressInfo).port}/records/{recordType}/{subject}`;
    const deadUrl = `http://127.0.0.1:${await freePort()}/records/{recordType}/{subject}`;
    const rest = (urlTemplate: string, timeoutMs: number) => RestBackend.open({ type: 'http', urlTemplate, timeoutMs });
    hub = await HubFixture.start({ connectors: [] });
    await hub.startConnector('FPO', await rest(slowUrl, 800));
    await hub.startConnector('RD', await rest(deadUrl, 800));
    await hub.startConnector('DOPA', await rest(slowUrl, 60_000));
  });
  afterAll(async () => {
    await hub?.stop();
    slowServer?.closeAllConnections();
    slowServer?.close();
  });

  it('backend down → UNAVAILABLE at once', async () => {
    const fpo = await hub.client('FPO');
    const started = Date.now();
    const details = await expectFailure(
      fpo.requestRecord({ subject: SOMSRI, recordType: 'rd.income-tax.annual-summary', purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() }, { timeoutMs: 5_000 }),
      status.UNAVAILABLE,
      'ERR_BACKEND_UNAVAILABLE',
    );
    expect(details).toMatch(/cannot be reached/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("backend slower than the connector's backend timeout → UNAVAILABLE with a timeout message", async () => {
    const bma = await hub.client('BMA');
    const started = Date.now();
    const details = await expectFailure(
      bma.requestRecord({ subject: SOMSRI, recordType: 'fpo.welfare-card.status', purpose: 'LOCAL_SERVICE_REGISTRATION', clientRequestId: randomUUID() }, { timeoutMs: 5_000 }),
      status.UNAVAILABLE,
      'ERR_BACKEND_TIMEOUT',
    );
    expect(details).toMatch(/800 ms/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("backend slower than the caller's deadline → DEADLINE_EXCEEDED by the deadline, nothing hangs", async () => {
    const fpo = await hub.client('FPO');
    const started = Date.now();
    const error = await fpo
      .requestRecord({ subject: SOMSRI, recordType: PERSON, purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() }, { timeoutMs: 1_500 })
      .then(() => undefined, (e: ServiceError) => e);
    expect(error?.code).toBe(status.DEADLINE_EXCEEDED);
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('a retry of a call that ran out of time after the provider was asked gets ERR_OUTCOME_UNKNOWN, not a second fetch (regression: retries got DEADLINE_EXCEEDED for the whole idempotency window)', async () => {
    const fpo = await hub.client('FPO');
    const dopa = hub.backends.get('DOPA')!;
    const before = dopa.total;
    const call = { subject: SOMCHAI, recordType: PERSON, purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() };
    const first = await fpo.requestRecord(call, { timeoutMs: 1_500 }).then(() => undefined, (e: ServiceError) => e);
    expect(first?.code).toBe(status.DEADLINE_EXCEEDED);
    await expect.poll(() => dopa.total - before, { timeout: 5_000 }).toBe(1);
    // The node records the first attempt's outcome once its own deadline has passed; the retry then learns it.
    await expect
      .poll(async () => (await fpo.requestRecord(call, { timeoutMs: 3_000 }).then(() => 'delivered', (e: ServiceError) => String(e.metadata.get('xhub-error-code')[0] ?? e.code))), { timeout: 10_000, interval: 300 })
      .toBe('ERR_OUTCOME_UNKNOWN');
    const details = await expectFailure(fpo.requestRecord(call, { timeoutMs: 3_000 }), status.ABORTED, 'ERR_OUTCOME_UNKNOWN');
    expect(details).toMatch(/new client_request_id/);
    expect(dopa.total - before).toBe(1);
  });

  it('no connector running for the provider → DEADLINE_EXCEEDED by the deadline', async () => {
    const bma = await hub.client('BMA');
    const started = Date.now();
    const error = await bma
      .requestRecord({ subject: SOMSRI, recordType: 'moph.immunization.history', purpose: 'DISEASE_CONTROL', clientRequestId: randomUUID() }, { timeoutMs: 1_500 })
      .then(() => undefined, (e: ServiceError) => e);
    expect(error?.code).toBe(status.DEADLINE_EXCEEDED);
    expect(Date.now() - started).toBeLessThan(2_500);
  });
});

describe('a connector stopped while requests queue up, then restarted', () => {
  let hub: HubFixture;

  beforeAll(async () => {
    hub = await HubFixture.start({ connectors: ['DOPA'] });
  });
  afterAll(() => hub?.stop());

  it('answers every request still inside its deadline exactly once, and skips the expired ones', async () => {
    const fpo = await hub.client('FPO');
    const rd = await hub.client('RD');
    await hub.stopConnector('DOPA');

    const queued = Array.from({ length: 20 }, (_, i) =>
      fpo.requestRecord({ subject: i % 2 ? SOMSRI : SOMCHAI, recordType: PERSON, purpose: 'WELFARE_ELIGIBILITY', clientRequestId: `queued-${i}` }, { timeoutMs: 30_000 }),
    );
    // This one gives up while the connector is down.
    const expired = rd
      .requestRecord({ subject: SOMSRI, recordType: 'dopa.house-registration.address', purpose: 'TAX_ASSESSMENT', clientRequestId: randomUUID() }, { timeoutMs: 1_000 })
      .then(() => undefined, (e: ServiceError) => e);
    expect((await expired)?.code).toBe(status.DEADLINE_EXCEEDED);

    await hub.startConnector('DOPA');
    const answers = await Promise.all(queued);

    expect(answers).toHaveLength(20);
    expect(new Set(answers.map((a) => a.exchangeId)).size).toBe(20);
    const backend = hub.backends.get('DOPA')!;
    expect(backend.byRecord.get(`${PERSON}/${SOMSRI}`)).toBe(10);
    expect(backend.byRecord.get(`${PERSON}/${SOMCHAI}`)).toBe(10);
    expect(backend.byRecord.get(`dopa.house-registration.address/${SOMSRI}`)).toBeUndefined();
  });
});

describe('idempotent client request ids', () => {
  let hub: HubFixture;

  beforeAll(async () => {
    hub = await HubFixture.start({ connectors: ['FPO'] });
  });
  afterAll(() => hub?.stop());

  const welfare = (clientRequestId: string, subject = SOMSRI) => ({ subject, recordType: 'fpo.welfare-card.status', purpose: 'LOCAL_SERVICE_REGISTRATION', clientRequestId });

  it('a retried id gets the first outcome and does not reach the provider twice', async () => {
    const bma = await hub.client('BMA');
    const id = randomUUID();
    const first = await bma.requestRecord(welfare(id));
    const retry = await bma.requestRecord(welfare(id));
    expect(retry).toEqual(first);
    expect(hub.backends.get('FPO')!.calls.get(SOMSRI)).toBe(1);
  });

  it('concurrent duplicates share one transfer', async () => {
    const bma = await hub.client('BMA');
    const id = randomUUID();
    const answers = await Promise.all(Array.from({ length: 5 }, () => bma.requestRecord(welfare(id, SOMCHAI))));
    expect(new Set(answers.map((a) => a.exchangeId)).size).toBe(1);
    expect(hub.backends.get('FPO')!.calls.get(SOMCHAI)).toBe(1);
  });

  it('the same id for a different request is refused', async () => {
    const bma = await hub.client('BMA');
    const id = randomUUID();
    await bma.requestRecord(welfare(id));
    await expectFailure(bma.requestRecord(welfare(id, SOMCHAI)), status.ALREADY_EXISTS, 'ERR_IDEMPOTENCY_KEY_REUSED');
  });

  it('a retried id whose first attempt failed gets the same failure, without a second transfer', async () => {
    const bma = await hub.client('BMA');
    const id = randomUUID();
    const subject = '1509900043212';
    await expectFailure(bma.requestRecord(welfare(id, subject)), status.NOT_FOUND, 'ERR_RECORD_NOT_FOUND');
    await expectFailure(bma.requestRecord(welfare(id, subject)), status.NOT_FOUND, 'ERR_RECORD_NOT_FOUND');
    expect(hub.backends.get('FPO')!.calls.get(subject)).toBe(1);
  });
});

describe('a connector stopped cleanly and restarted', () => {
  let hub: HubFixture;

  beforeAll(async () => {
    hub = await HubFixture.start({ connectors: ['DOPA'] });
  });
  afterAll(() => hub?.stop());

  it('hands over where it left off: the next connector reads no answered request again', async () => {
    const fpo = await hub.client('FPO');
    const ask = (id: string) => fpo.requestRecord({ subject: SOMSRI, recordType: PERSON, purpose: 'WELFARE_ELIGIBILITY', clientRequestId: id });
    // One subject, so one partition: a re-read would come before the last request below.
    for (let i = 0; i < 10; i++) await ask(`before-stop-${i}`);
    // Offsets are committed at most once a second while running; a clean stop must commit the rest.
    await hub.stopConnector('DOPA');
    await hub.startConnector('DOPA');
    await ask('after-restart');

    expect(hub.backends.get('DOPA')!.byRecord.get(`${PERSON}/${SOMSRI}`)).toBe(11);
  });
});

describe('a slow request at the provider', () => {
  const ADDRESS = 'dopa.house-registration.address';
  let hub: HubFixture;
  let release: () => void = () => {};
  /** DOPA's demo records, but every address lookup waits until the test releases it. */
  const demo: Backend = new FileBackend(join(DEMO_DATA, 'DOPA'));
  let held = 0;
  const holding: Backend = {
    async fetch(recordType, subject, timeoutMs) {
      if (recordType === ADDRESS) {
        held += 1;
        await new Promise<void>((resolve) => (release = resolve));
      }
      return demo.fetch(recordType, subject, timeoutMs);
    },
  };

  beforeAll(async () => {
    hub = await HubFixture.start({ connectors: [] });
  });
  afterAll(async () => {
    release();
    await hub?.stop();
  });

  it('holds one of the connector\'s slots, not the requests queued behind it on the same partition', async () => {
    const rd = await hub.client('RD');
    const fpo = await hub.client('FPO');
    const requests = await KafkaTap.open('admin', topicNames(hub.topicPrefix).requests('DOPA'));
    try {
      // Queued while no connector runs, so the connector reads them as one batch: the slow one first.
      const slow = rd.requestRecord({ subject: SOMSRI, recordType: ADDRESS, purpose: 'TAX_ASSESSMENT', clientRequestId: randomUUID() }, { timeoutMs: 60_000 });
      await requests.waitFor(() => true);
      // The same citizen, so the same partition, behind the slow request.
      const behind = Array.from({ length: 5 }, () =>
        fpo.requestRecord({ subject: SOMSRI, recordType: PERSON, purpose: 'WELFARE_ELIGIBILITY', clientRequestId: randomUUID() }, { timeoutMs: 20_000 }),
      );
      await expect.poll(() => requests.messages.length, { timeout: 10_000 }).toBe(6);
      // Two slots: the slow request holds one, the five behind it pass through the other.
      await hub.startConnector('DOPA', holding, { concurrency: 2 });
      const answers = await Promise.all(behind);
      expect(answers.map((a) => (JSON.parse(a.recordJson) as { firstNameTh: string }).firstNameTh)).toEqual(Array(5).fill('สมศรี'));
      expect(held).toBe(1);
      release();
      expect((await slow).recordJson).toContain('"province"');
    } finally {
      await requests.close();
    }
  });
});
