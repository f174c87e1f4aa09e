import { describe, expect, it } from 'vitest';
import { isRetrySafe } from '../../connectors/backends/retry-safety.ts';
import { readAnswer } from '../../connectors/backends/soap/soap-answer.ts';
import { compileOperations } from '../../connectors/backends/soap/soap-operation.ts';

const SOAP_11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const SOAP_12 = 'http://www.w3.org/2003/05/soap-envelope';
const operation = compileOperations({
  person: {
    requestTemplate: `<s:Envelope xmlns:s="${SOAP_11}"><s:Body><GetPersonInfo><PID>{subject}</PID></GetPersonInfo></s:Body></s:Envelope>`,
    recordPath: 'Envelope/Body/GetPersonInfoResponse/Person',
    fields: { firstNameTh: 'FirstName', middleNameTh: 'MiddleName' },
  },
}).get('person')!;

const PERSON = `<s:Envelope xmlns:s="${SOAP_11}"><s:Body><GetPersonInfoResponse><Person><FirstName>สมศรี</FirstName></Person></GetPersonInfoResponse></s:Body></s:Envelope>`;
const SENDER_FAULT = `<e:Envelope xmlns:e="${SOAP_12}"><e:Body><e:Fault><e:Code><e:Value>e:Sender</e:Value></e:Code><e:Reason><e:Text xml:lang="th">PID ไม่ถูกต้อง</e:Text></e:Reason></e:Fault></e:Body></e:Envelope>`;

function answer(status: number, text: string, contentType = 'text/xml; charset=utf-8') {
  return { status, headers: new Headers({ 'content-type': contentType }), text };
}

function thrown(status: number, text: string, contentType?: string): unknown {
  try {
    readAnswer(answer(status, text, contentType), operation);
  } catch (error) {
    return error;
  }
  throw new Error('expected readAnswer to throw');
}

describe('reading one SOAP answer', () => {
  it('gives the fields present and leaves the absent ones out', () => {
    expect(
      readAnswer(answer(200, `<?xml version="1.0" encoding="UTF-8"?>${PERSON}`), operation),
    ).toStrictEqual({ firstNameTh: 'สมศรี' });
  });

  it('refuses an answer in another encoding rather than garble Thai names', () => {
    expect(thrown(200, PERSON, 'text/xml; charset=TIS-620')).toMatchObject({
      code: 'ERR_BACKEND_RESPONSE_INVALID',
      message: expect.stringContaining('encoding TIS-620'),
    });
    expect(thrown(200, `<?xml version="1.0" encoding="windows-874"?>${PERSON}`)).toMatchObject({
      code: 'ERR_BACKEND_RESPONSE_INVALID',
      message: expect.stringContaining('encoding windows-874'),
    });
  });

  it('takes a fault as a fault whatever the status, 200 and 400 included', () => {
    expect(thrown(200, SENDER_FAULT)).toMatchObject({
      code: 'ERR_BACKEND_FAULT',
      message: expect.stringMatching(/SOAP fault e:Sender$/),
    });
    const error = thrown(400, SENDER_FAULT, 'application/soap+xml; charset=utf-8');
    expect(error).toMatchObject({
      code: 'ERR_BACKEND_FAULT',
      message: expect.stringMatching(/SOAP fault e:Sender$/),
    });
    expect(isRetrySafe(error)).toBe(false);
  });

  it('maps statuses without a fault: 4xx a fault, 5xx unavailable, only 502/503/504 retry-safe', () => {
    const cases = [
      [404, 'ERR_BACKEND_FAULT', false],
      [401, 'ERR_BACKEND_FAULT', false],
      [500, 'ERR_BACKEND_UNAVAILABLE', false],
      [501, 'ERR_BACKEND_UNAVAILABLE', false],
      [502, 'ERR_BACKEND_UNAVAILABLE', true],
      [503, 'ERR_BACKEND_UNAVAILABLE', true],
      [504, 'ERR_BACKEND_UNAVAILABLE', true],
    ] as const;
    for (const [status, code, safe] of cases) {
      const error = thrown(status, '<html><body>Error: PID 1101700203450</body></html>', 'text/html');
      expect(error, String(status)).toMatchObject({
        code,
        message: `agency SOAP backend answered HTTP ${status}`,
      });
      expect(isRetrySafe(error), String(status)).toBe(safe);
    }
  });

  it('does not trust a fault that comes with a DTD', () => {
    const withDtd = `<!DOCTYPE e:Envelope [<!ENTITY x SYSTEM "file:///etc/passwd">]>${SENDER_FAULT}`;
    expect(thrown(500, withDtd)).toMatchObject({
      code: 'ERR_BACKEND_UNAVAILABLE',
      message: 'agency SOAP backend answered HTTP 500',
    });
  });
});
