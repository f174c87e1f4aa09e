import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SoapBackendConfig, SoapOperationConfig } from '../../connectors/backends/backend.types.ts';
import { isRetrySafe } from '../../connectors/backends/retry-safety.ts';
import { SoapBackend } from '../../connectors/backends/soap/soap-backend.ts';
import { SOAP_11_NS, SOAP_12_NS, startSoapServer, type SoapServer } from '../helpers/soap-server.ts';

const PERSON = 'dopa.civil-registration.person';
const PERSON_12 = 'dopa.civil-registration.person.soap12';
const SOMSRI = '1101700203450';
const UNKNOWN = '1234567890121';
const ACTION = 'http://linkage.dopa.go.th/GetPersonInfo';

function template(ns: string): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="${ns}" xmlns:l="urn:linkage.dopa.go.th:person">
  <soap:Body><l:GetPersonInfo><l:PID>{subject}</l:PID></l:GetPersonInfo></soap:Body>
</soap:Envelope>`;
}

const personOperation: SoapOperationConfig = {
  soapAction: ACTION,
  requestTemplate: template(SOAP_11_NS),
  recordPath: 'soap:Envelope/soap:Body/GetPersonInfoResponse/Person',
  fields: {
    citizenId: '@pid',
    titleTh: 'TitleName',
    firstNameTh: 'FirstName',
    middleNameTh: 'MiddleName',
    lastNameTh: 'LastName',
    firstNameEn: 'EnglishName/First',
    lastNameEn: 'EnglishName/Last',
    birthDate: 'BirthDate',
    birthDateText: 'BirthDateText',
    gender: 'Gender',
    nationalityCode: 'NationalityCode',
    provinceCode: 'Address/ProvinceCode',
    districtCode: 'Address/DistrictCode',
    deathDate: 'DeathDate',
  },
};

function config(overrides: Partial<SoapBackendConfig> = {}): SoapBackendConfig {
  return {
    type: 'soap',
    url: server.url,
    timeoutMs: 5_000,
    maxResponseBytes: 64 * 1024,
    operations: {
      [PERSON]: personOperation,
      [PERSON_12]: {
        ...personOperation,
        soapAction: 'urn:GetPersonInfo',
        requestTemplate: template(SOAP_12_NS),
      },
    },
    ...overrides,
  };
}

/** Fetches and returns what was thrown; a resolved fetch fails the test. */
async function failure(
  subject: string,
  timeoutMs = 2_000,
  recordType = PERSON,
): Promise<Error & { code: string }> {
  const result = await backend.fetch(recordType, subject, timeoutMs).then(
    () => undefined,
    (error: unknown) => error as Error & { code: string },
  );
  if (!result) throw new Error('expected the fetch to fail');
  // Whatever the backend said, nothing of it or of the subject reaches the message.
  expect(result.message).not.toContain(subject);
  expect(result.message).not.toMatch(/ORA-|ไม่พบ|ขัดข้อง|LINKAGE_DB|DatabaseDown|root:|Internal Server Error/);
  return result;
}

let server: SoapServer;
let backend: SoapBackend;

beforeAll(async () => {
  server = await startSoapServer();
  backend = await SoapBackend.open(config());
});

afterAll(async () => {
  await backend?.close();
  await server?.close();
});

beforeEach(() => {
  server.mode = 'normal';
  server.modeFor.clear();
});

describe('SOAP backend against a linkage-centre style service', () => {
  it('fetches a person: Thai text intact, every value a string as written', async () => {
    const record = await backend.fetch(PERSON, SOMSRI, 2_000);
    expect(record).toStrictEqual({
      citizenId: SOMSRI,
      titleTh: 'นาง',
      firstNameTh: 'สมศรี',
      middleNameTh: '',
      lastNameTh: 'ใจดี',
      firstNameEn: 'Somsri',
      lastNameEn: 'Jaidee',
      birthDate: '25270312',
      birthDateText: '12 มีนาคม 2527',
      gender: '2',
      nationalityCode: '099',
      provinceCode: '10',
      districtCode: '01',
    });
    const request = server.requests.at(-1)!;
    expect(request).toMatchObject({ method: 'POST', url: '/LinkageCenter/PersonService.asmx', pid: SOMSRI });
    expect(request.headers).toMatchObject({
      'content-type': 'text/xml; charset=utf-8',
      soapaction: `"${ACTION}"`,
    });
  });

  it('speaks SOAP 1.2 when the template does: application/soap+xml with the action, no SOAPAction', async () => {
    expect(await backend.fetch(PERSON_12, SOMSRI, 2_000)).toMatchObject({
      firstNameTh: 'สมศรี',
      birthDate: '25270312',
    });
    const request = server.requests.at(-1)!;
    expect(request.headers['content-type']).toBe(
      'application/soap+xml; charset=utf-8; action="urn:GetPersonInfo"',
    );
    expect(request.headers).not.toHaveProperty('soapaction');
  });

  it('answers undefined when the service holds no such person', async () => {
    expect(await backend.fetch(PERSON, UNKNOWN, 2_000)).toBeUndefined();
  });

  it('XML-escapes the subject into the request', async () => {
    const hostile = `1"/><PID>2</PID><x a='&amp;'>`;
    expect(await backend.fetch(PERSON, hostile, 2_000)).toBeUndefined();
    const request = server.requests.at(-1)!;
    expect(request.pid).toBe(hostile);
    expect(request.body).toContain(
      '<l:PID>1&quot;/&gt;&lt;PID&gt;2&lt;/PID&gt;&lt;x a=&apos;&amp;amp;&apos;&gt;</l:PID>',
    );
  });

  it('refuses two records for one subject as ambiguous', async () => {
    server.mode = 'two-records';
    expect(await failure(SOMSRI)).toMatchObject({ code: 'ERR_BACKEND_AMBIGUOUS' });
  });

  it('turns a SOAP 1.1 fault into ERR_BACKEND_FAULT with the code only', async () => {
    server.mode = 'fault-1.1';
    const error = await failure(SOMSRI);
    expect(error).toMatchObject({
      code: 'ERR_BACKEND_FAULT',
      message: 'agency SOAP backend answered with SOAP fault soap:Server',
    });
    expect(isRetrySafe(error)).toBe(false);
  });

  it('turns a SOAP 1.2 fault into ERR_BACKEND_FAULT with the code only', async () => {
    server.mode = 'fault-1.2';
    const error = await failure(SOMSRI, 2_000, PERSON_12);
    expect(error).toMatchObject({
      code: 'ERR_BACKEND_FAULT',
      message: 'agency SOAP backend answered with SOAP fault soap:Receiver',
    });
  });

  it('takes a 500 without a SOAP fault as unavailable, not retry-safe', async () => {
    server.mode = 'error-page';
    const error = await failure(SOMSRI);
    expect(error).toMatchObject({
      code: 'ERR_BACKEND_UNAVAILABLE',
      message: expect.stringContaining('HTTP 500'),
    });
    expect(isRetrySafe(error)).toBe(false);
  });

  it('marks 503 unavailable and safe to retry', async () => {
    server.mode = 'unavailable';
    const error = await failure(SOMSRI);
    expect(error).toMatchObject({
      code: 'ERR_BACKEND_UNAVAILABLE',
      message: expect.stringContaining('HTTP 503'),
    });
    expect(isRetrySafe(error)).toBe(true);
  });

  it('gives up on a hanging service within the deadline, and keeps serving other subjects meanwhile', async () => {
    server.modeFor.set(UNKNOWN, 'hang');
    const started = performance.now();
    const hung = failure(UNKNOWN, 400);
    expect(await backend.fetch(PERSON, SOMSRI, 2_000)).toMatchObject({ firstNameTh: 'สมศรี' });
    expect(await hung).toMatchObject({ code: 'ERR_BACKEND_TIMEOUT' });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(390);
    expect(elapsed).toBeLessThan(1_000);
  });

  it('refuses malformed XML', async () => {
    server.mode = 'malformed';
    expect(await failure(SOMSRI)).toMatchObject({ code: 'ERR_BACKEND_RESPONSE_INVALID' });
  });

  it('refuses a body over maxResponseBytes without buffering it', async () => {
    server.mode = 'huge';
    expect(await failure(SOMSRI)).toMatchObject({
      code: 'ERR_BACKEND_RESPONSE_INVALID',
      message: expect.stringContaining('larger than 65536 bytes'),
    });
  });

  it('refuses an external entity (XXE): the file is never read', async () => {
    server.mode = 'xxe';
    const error = await failure(SOMSRI);
    expect(error).toMatchObject({
      code: 'ERR_BACKEND_RESPONSE_INVALID',
      message: expect.stringContaining('DTD'),
    });
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toMatch(/root:|nologin/);
  });

  it('refuses a billion-laughs entity bomb at once', async () => {
    server.mode = 'entity-bomb';
    const started = performance.now();
    expect(await failure(SOMSRI)).toMatchObject({
      code: 'ERR_BACKEND_RESPONSE_INVALID',
      message: expect.stringContaining('DTD'),
    });
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('refuses a record type it has no operation for, without calling the service', async () => {
    const before = server.requests.length;
    await expect(backend.fetch('rd.income-tax.annual-summary', SOMSRI, 2_000)).rejects.toMatchObject({
      code: 'ERR_UNKNOWN_RECORD_TYPE',
    });
    expect(server.requests.length).toBe(before);
  });

  it('says a closed port is unavailable and safe to retry', async () => {
    const closed = await startSoapServer();
    const url = closed.url;
    await closed.close();
    const gone = await SoapBackend.open(config({ url }));
    try {
      const error = await gone.fetch(PERSON, SOMSRI, 2_000).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'ERR_BACKEND_UNAVAILABLE' });
      expect(isRetrySafe(error)).toBe(true);
    } finally {
      await gone.close();
    }
  });
});

describe('SOAP backend config is checked at open', () => {
  const refused = [
    [
      'a template without {subject}',
      { requestTemplate: template(SOAP_11_NS).replace('{subject}', '1101700203450') },
      /requestTemplate has no \{subject\}/,
    ],
    [
      'a template that is not XML',
      { requestTemplate: '<soap:Envelope>{subject}' },
      /requestTemplate is not a well-formed XML document/,
    ],
    [
      'a template with a DTD',
      { requestTemplate: `<!DOCTYPE x>${template(SOAP_11_NS).replace(/^<\?xml[^>]*>/, '')}` },
      /without a DTD/,
    ],
    ['an empty record path', { recordPath: '' }, /recordPath is empty/],
    ['an empty field path', { fields: { firstNameTh: '' } }, /fields\.firstNameTh is empty/],
    ['a SOAPAction that breaks out of its quotes', { soapAction: 'a"b' }, /soapAction/],
  ] as const;

  for (const [what, change, reason] of refused) {
    it(`refuses ${what}, naming the record type`, async () => {
      const bad = config({ operations: { [PERSON]: { ...personOperation, ...change } } });
      await expect(SoapBackend.open(bad)).rejects.toMatchObject({
        code: 'ERR_CONFIG_INVALID',
        message: expect.stringMatching(new RegExp(`soap operation ${PERSON}: .*${reason.source}`)),
      });
    });
  }

  it('refuses a URL that is not http(s) and a backend without operations', async () => {
    await expect(SoapBackend.open(config({ url: 'ftp://linkage.example/' }))).rejects.toMatchObject({
      code: 'ERR_CONFIG_INVALID',
    });
    await expect(SoapBackend.open(config({ operations: {} }))).rejects.toMatchObject({
      code: 'ERR_CONFIG_INVALID',
    });
  });
});
