import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../cli/demo-setup.ts';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFailure } from '../helpers/grpc-error.ts';
import { HubFixture, SOMCHAI, SOMSRI } from '../helpers/hub-fixture.ts';
import {
  dopaConfig,
  INCOME,
  PERSON,
  startAgencyBackends,
  WELFARE,
  type AgencyBackends,
} from '../helpers/agency-backends.ts';
import type { AgencyApi } from '../helpers/oauth2-server.ts';
import type { TestPostgres } from '../helpers/postgres-server.ts';
import type { SoapServer } from '../helpers/soap-server.ts';
/** A valid citizen id that no backend holds. */
const NOBODY = '1234567890121';
/** A valid citizen id whose SOAP answer the test makes misbehave. */
const SLOW = '3100500123458';

describe('connectors on real agency backends, end to end through node, Kafka and connector', () => {
  let hub: HubFixture;
  let pg: TestPostgres;
  let soap: SoapServer;
  let api: AgencyApi;
  let backends: AgencyBackends;

  beforeAll(async () => {
    backends = await startAgencyBackends();
    ({ pg, soap, api } = backends);
    hub = await HubFixture.start({ connectors: [] });
    for (const agency of ['DOPA', 'RD', 'FPO'] as const)
      await hub.startConfiguredConnector(agency, backends[agency]);
  });
  afterAll(async () => {
    await hub?.stop();
    await backends?.stop();
  });

  const ask = async (
    consumer: string,
    recordType: string,
    purpose: string,
    subject: string,
    timeoutMs = 5_000,
  ) =>
    (await hub.client(consumer)).requestRecord(
      { subject, recordType, purpose, clientRequestId: randomUUID() },
      { timeoutMs },
    );

  it('SOAP: a Thai-dated, DOPA-coded person comes out as the hub schema, and one request reached the service', async () => {
    const before = soap.requests.length;
    const response = await ask('FPO', PERSON, 'WELFARE_ELIGIBILITY', SOMSRI);
    // The same record the file-backed demo gives: the mapping turned `12 มีนาคม 2527` into 1984-03-12.
    expect(JSON.parse(response.recordJson)).toEqual({
      titleTh: 'นาง',
      firstNameTh: 'สมศรี',
      lastNameTh: 'ใจดี',
      dateOfBirth: '1984-03-12',
      lifeStatus: 'alive',
    });
    expect(response.providerId).toBe('DOPA');
    expect(soap.requests.length - before).toBe(1);
    expect(soap.requests.at(-1)).toMatchObject({
      pid: SOMSRI,
      headers: { soapaction: '"http://linkage.dopa.go.th/GetPersonInfo"' },
    });
    // RD's agreement allows the English names and gender is mapped from DOPA's code.
    const rd = JSON.parse((await ask('RD', PERSON, 'TAX_ASSESSMENT', SOMCHAI)).recordJson);
    expect(rd).toMatchObject({ firstNameEn: 'Somchai', lastNameEn: 'Rakthai', dateOfBirth: '1961-11-02' });
  });

  it('PostgreSQL: the reporting view row becomes the income summary; a citizen with no row is NOT_FOUND', async () => {
    const response = await ask('FPO', INCOME, 'WELFARE_ELIGIBILITY', SOMCHAI);
    expect(JSON.parse(response.recordJson)).toEqual({
      taxYear: 2025,
      assessableIncome: 960000.5,
      filingStatus: 'under-review',
    });
    await expectFailure(
      ask('FPO', INCOME, 'WELFARE_ELIGIBILITY', NOBODY),
      status.NOT_FOUND,
      'ERR_RECORD_NOT_FOUND',
    );
  });

  it('REST behind OAuth2: one token serves many exchanges; a Buddhist-era date and Y/N become the schema', async () => {
    const somsri = await ask('BMA', WELFARE, 'LOCAL_SERVICE_REGISTRATION', SOMSRI);
    expect(JSON.parse(somsri.recordJson)).toEqual({ cardHolder: true, validUntil: '2027-09-30' });
    const somchai = await ask('BMA', WELFARE, 'LOCAL_SERVICE_REGISTRATION', SOMCHAI);
    expect(JSON.parse(somchai.recordJson)).toEqual({ cardHolder: false });
    for (let i = 0; i < 3; i++) await ask('BMA', WELFARE, 'LOCAL_SERVICE_REGISTRATION', SOMSRI);
    expect(api.tokensIssued).toBe(1);
    expect(api.resourceRequests).toBeGreaterThanOrEqual(5);
  });

  it('a backend that hangs gives the consumer ERR_BACKEND_TIMEOUT within its deadline, and the connector keeps serving others', async () => {
    soap.modeFor.set(SLOW, 'hang');
    try {
      // Checked as it settles, so its failure is never an unhandled rejection while the other call runs.
      const hung = expectFailure(ask('FPO', PERSON, 'WELFARE_ELIGIBILITY', SLOW, 6_000), status.UNAVAILABLE, 'ERR_BACKEND_TIMEOUT');
      // Meanwhile another citizen's request on the same connector is answered.
      const other = await ask('FPO', PERSON, 'IDENTITY_VERIFICATION', SOMSRI);
      expect(JSON.parse(other.recordJson).firstNameTh).toBe('สมศรี');
      await hung;
    } finally {
      soap.modeFor.delete(SLOW);
    }
  });

  it('a SOAP fault, a malformed answer and an oversized body are clear provider errors that carry none of the backend text', async () => {
    soap.modeFor.set(SLOW, 'fault-1.1');
    try {
      const details = await expectFailure(
        ask('FPO', PERSON, 'WELFARE_ELIGIBILITY', SLOW),
        status.FAILED_PRECONDITION,
        'ERR_BACKEND_FAULT',
      );
      expect(details).toContain('soap:Server');
      expect(details).not.toMatch(/ORA-01403|LINKAGE_DB|ไม่พบ|3100500123458/);
      soap.modeFor.set(SLOW, 'malformed');
      await expectFailure(
        ask('FPO', PERSON, 'WELFARE_ELIGIBILITY', SLOW),
        status.FAILED_PRECONDITION,
        'ERR_BACKEND_RESPONSE_INVALID',
      );
      soap.modeFor.set(SLOW, 'xxe');
      await expectFailure(
        ask('FPO', PERSON, 'WELFARE_ELIGIBILITY', SLOW),
        status.FAILED_PRECONDITION,
        'ERR_BACKEND_RESPONSE_INVALID',
      );
    } finally {
      soap.modeFor.delete(SLOW);
    }
    api.mode = 'huge';
    try {
      await expectFailure(
        ask('BMA', WELFARE, 'LOCAL_SERVICE_REGISTRATION', SOMSRI),
        status.FAILED_PRECONDITION,
        'ERR_BACKEND_RESPONSE_INVALID',
      );
    } finally {
      api.mode = 'normal';
    }
  });

  it('a database that goes away: UNAVAILABLE, then the open circuit answers at once without touching it, then it recovers', async () => {
    await pg.stopServer();
    try {
      await expectFailure(
        ask('FPO', INCOME, 'WELFARE_ELIGIBILITY', SOMSRI),
        status.UNAVAILABLE,
        'ERR_BACKEND_UNAVAILABLE',
      );
      await expectFailure(
        ask('FPO', INCOME, 'WELFARE_ELIGIBILITY', SOMSRI),
        status.UNAVAILABLE,
        'ERR_BACKEND_UNAVAILABLE',
      );
      const open = await expectFailure(
        ask('FPO', INCOME, 'WELFARE_ELIGIBILITY', SOMSRI),
        status.UNAVAILABLE,
        'ERR_BACKEND_CIRCUIT_OPEN',
      );
      expect(open).toMatch(/consecutive failures/);
      const metrics = await hub.connectors.get('RD')!.metrics.metrics();
      expect(metrics).toMatch(/^xhub_backend_breaker_state 2$/m);
    } finally {
      await pg.startServer();
    }
    await expect
      .poll(
        async () =>
          ask('FPO', INCOME, 'WELFARE_ELIGIBILITY', SOMSRI).then(
            (r) => JSON.parse(r.recordJson).taxYear,
            () => 'still failing',
          ),
        { timeout: 15_000, interval: 500 },
      )
      .toBe(2025);
  });

  it('no backend error text, SQL, citizen id or record content reaches the hub logs', () => {
    const logs = hub.logs.join('\n');
    // The failures above were logged, by their codes.
    expect(logs).toContain('ERR_BACKEND_FAULT');
    expect(logs).toContain('ERR_BACKEND_CIRCUIT_OPEN');
    expect(logs).not.toMatch(/SELECT|v_latest_filing|ORA-01403|LINKAGE_DB|Internal Server Error/);
    expect(logs).not.toContain(SOMSRI);
    expect(logs).not.toContain(SOMCHAI);
    expect(logs).not.toContain('สมศรี');
    expect(logs).not.toContain(api.clientSecret);
  });

  it('`xhub connector check` fetches and maps one record from the real database without Kafka, and shows what each agreement delivers', async () => {
    const file = join(hub.stateDir, 'rd-connector.json');
    // The whole connector config, Kafka keys included: check uses its backend half.
    await writeFile(
      file,
      JSON.stringify({
        agencyId: 'RD',
        policiesDir: hub.demo.policiesDir,
        kafkaBrokers: ['kafka.invalid:9093'],
        ...backends.RD,
      }),
    );
    const check = (subject: string) =>
      promisify(execFile)(
        process.execPath,
        ['cli/xhub.ts', 'connector', 'check', '--config', file, '--subject', subject],
        { cwd: REPO_ROOT },
      ).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
    const found = await check(SOMSRI);
    expect(found.code, found.stderr).toBe(0);
    expect(found.stdout).toContain('"assessableIncome": 182000');
    expect(found.stdout).toContain('schema: valid');
    expect(found.stdout).toMatch(
      /FPO-RD-income-2026 → FPO \(public-task; WELFARE_ELIGIBILITY\): taxYear, assessableIncome, filingStatus/,
    );
    expect(found.stdout).toMatch(
      /MOPH-RD-income-2026 → MOPH \(consent; PUBLIC_HEALTH_SERVICE\): taxYear, assessableIncome/,
    );
    const missing = await check(NOBODY);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('not found');
    const bad = await check('1234567890123');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('check digit');
  });

  it('a mapping that can never give a valid record stops the connector at start-up, naming the record type and field', async () => {
    const bad = dopaConfig(soap);
    const fields = bad.mappings!.records[PERSON]!.fields;
    delete fields.lastNameTh;
    fields.nickname = { from: 'first' };
    // DOPA's SOAP config copied to MOPH: its operation is for a record type MOPH does not provide.
    const copied = hub.startConfiguredConnector('MOPH', { ...dopaConfig(soap), mappings: { records: {} } });
    await expect(copied).rejects.toMatchObject({ code: 'ERR_CONFIG_INVALID' });
    await expect(copied).rejects.toThrow(
      /backend\.operations: dopa\.civil-registration\.person is provided by DOPA, not MOPH/,
    );
    const failed = hub.startConfiguredConnector('DOPA', bad);
    await expect(failed).rejects.toMatchObject({ code: 'ERR_CONFIG_INVALID' });
    await expect(failed).rejects.toThrow(/dopa\.civil-registration\.person.*(lastNameTh|nickname)/s);
  });
});
