import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * How the server answers. `normal` serves the people below (others are not
 * found); the rest stand for what a real linkage-centre service does on a
 * bad day, or what an attacker in its place sends.
 */
export type SoapServerMode =
  | 'normal'
  | 'two-records'
  | 'fault-1.1'
  | 'fault-1.2'
  | 'error-page'
  | 'unavailable'
  | 'hang'
  | 'malformed'
  | 'huge'
  | 'xxe'
  | 'entity-bomb';

export interface RecordedSoapRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The PID the body carried, XML-unescaped; undefined when the body had none. */
  pid: string | undefined;
}

export interface SoapServer {
  /** The endpoint, e.g. `http://127.0.0.1:41234/LinkageCenter/PersonService.asmx`. */
  url: string;
  /** Every request received, in order. */
  requests: RecordedSoapRequest[];
  /** How every request is answered unless `modeFor` says otherwise for its PID. */
  mode: SoapServerMode;
  modeFor: Map<string, SoapServerMode>;
  close(): Promise<void>;
}

/** One person of the civil registration as the service holds them: Thai names, Buddhist-era dates, DOPA codes. */
export interface SoapPerson {
  title: string;
  firstName: string;
  lastName: string;
  firstNameEn: string;
  lastNameEn: string;
  /** `yyyymmdd` with a Buddhist-era year, as the linkage centre writes it. */
  birthDate: string;
  /** The same date written Thai style: `12 มีนาคม 2527`. */
  birthDateText: string;
  /** 1 male, 2 female. */
  gender: '1' | '2';
  /** 099 is Thai: the leading zero must survive. */
  nationalityCode: string;
  provinceCode: string;
  districtCode: string;
}

/** The demo people of `connectors/demo-data/DOPA`, as the SOAP service would hold them. */
export const SOAP_PEOPLE: Readonly<Record<string, SoapPerson>> = {
  '1101700203450': {
    title: 'นาง',
    firstName: 'สมศรี',
    lastName: 'ใจดี',
    firstNameEn: 'Somsri',
    lastNameEn: 'Jaidee',
    birthDate: '25270312',
    birthDateText: '12 มีนาคม 2527',
    gender: '2',
    nationalityCode: '099',
    provinceCode: '10',
    districtCode: '01',
  },
  '3100500123458': {
    title: 'นาย',
    firstName: 'สมชาย',
    lastName: 'รักไทย',
    firstNameEn: 'Somchai',
    lastNameEn: 'Rakthai',
    birthDate: '25041102',
    birthDateText: '2 พฤศจิกายน 2504',
    gender: '1',
    nationalityCode: '099',
    provinceCode: '10',
    districtCode: '14',
  },
};

export const SOAP_11_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SOAP_12_NS = 'http://www.w3.org/2003/05/soap-envelope';
export const LINKAGE_NS = 'urn:linkage.dopa.go.th:person';

/**
 * A local SOAP-style HTTP service like the DOPA linkage centre's
 * `GetPersonInfo`: POST a 13-digit PID, get the person back. Listens on
 * 127.0.0.1, port 0. The caller registers `close` for cleanup.
 */
export async function startSoapServer(): Promise<SoapServer> {
  const state = {
    mode: 'normal' as SoapServerMode,
    modeFor: new Map<string, SoapServerMode>(),
    requests: [] as RecordedSoapRequest[],
  };
  const server = createServer((req, res) => {
    res.on('error', () => {}); // the client may hang up mid-answer (huge, hang): not the server's problem
    void readBody(req).then(
      (body) => {
        const pid = pidIn(body);
        state.requests.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body,
          pid,
        });
        const mode = (pid !== undefined && state.modeFor.get(pid)) || state.mode;
        answer(res, mode, req.headers['content-type'] ?? '', pid);
      },
      () => res.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/LinkageCenter/PersonService.asmx`,
    requests: state.requests,
    get mode() {
      return state.mode;
    },
    set mode(mode: SoapServerMode) {
      state.mode = mode;
    },
    modeFor: state.modeFor,
    close: async () => {
      server.closeAllConnections(); // hung answers included
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function answer(
  res: ServerResponse,
  mode: SoapServerMode,
  contentType: string,
  pid: string | undefined,
): void {
  const soap12 = contentType.startsWith('application/soap+xml');
  const envelope = (body: string) => wrap(soap12 ? SOAP_12_NS : SOAP_11_NS, body);
  const person = pid === undefined ? undefined : SOAP_PEOPLE[pid];
  switch (mode) {
    case 'normal':
      return send(res, 200, soap12, envelope(personResponse(pid, person ? [person] : [])));
    case 'two-records':
      return send(res, 200, soap12, envelope(personResponse(pid, Object.values(SOAP_PEOPLE))));
    case 'fault-1.1':
      // The faultstring quotes the PID and internals, as real services do: none of it may reach the hub.
      return send(
        res,
        500,
        false,
        wrap(
          SOAP_11_NS,
          `<soap:Fault><faultcode>soap:Server</faultcode><faultstring>ORA-01403 ไม่พบข้อมูล PID ${pid ?? ''} LINKAGE_DB</faultstring></soap:Fault>`,
        ),
      );
    case 'fault-1.2':
      return send(
        res,
        500,
        true,
        wrap(
          SOAP_12_NS,
          `<soap:Fault><soap:Code><soap:Value>soap:Receiver</soap:Value><soap:Subcode><soap:Value>m:DatabaseDown</soap:Value></soap:Subcode></soap:Code><soap:Reason><soap:Text xml:lang="th">ฐานข้อมูลขัดข้อง PID ${pid ?? ''}</soap:Text></soap:Reason></soap:Fault>`,
        ),
      );
    case 'error-page':
      return sendRaw(
        res,
        500,
        'text/html',
        '<html><body><h1>Internal Server Error</h1><pre>at LinkageDb.Query</pre></body></html>',
      );
    case 'unavailable':
      return sendRaw(res, 503, 'text/plain', 'Service Unavailable');
    case 'hang':
      return; // never answers; `close` cuts the connection
    case 'malformed':
      return sendRaw(
        res,
        200,
        'text/xml; charset=utf-8',
        `<soap:Envelope xmlns:soap="${SOAP_11_NS}"><soap:Body><GetPersonInfoResponse><Person><FirstName>สมศรี</Person>`,
      );
    case 'huge':
      return sendHuge(res, envelope(personResponse(pid, [], '<Padding>{padding}</Padding>')));
    case 'xxe':
      return sendRaw(
        res,
        200,
        'text/xml; charset=utf-8',
        `<?xml version="1.0"?>\n<!DOCTYPE soap:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n` +
          envelope(personResponse(pid, [{ ...SOAP_PEOPLE['1101700203450']!, firstName: '&xxe;' }])),
      );
    case 'entity-bomb':
      return sendRaw(
        res,
        200,
        'text/xml; charset=utf-8',
        `<?xml version="1.0"?>\n${BILLION_LAUGHS}\n` +
          envelope(personResponse(pid, [{ ...SOAP_PEOPLE['1101700203450']!, firstName: '&lol9;' }])),
      );
  }
}

/** The classic: nine levels of ten, 10^9 "lol"s (about 3 GB) if anything expanded it. */
const BILLION_LAUGHS = `<!DOCTYPE soap:Envelope [
  <!ENTITY lol "lol">
  ${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('\n  ')}
]>`;

function personResponse(pid: string | undefined, people: SoapPerson[], extra = ''): string {
  const result =
    people.length > 0
      ? '<ResultCode>1</ResultCode>'
      : '<ResultCode>0</ResultCode><ResultMessage>ไม่พบข้อมูล</ResultMessage>';
  const persons = people.map((p) => personXml(pid ?? '', p)).join('');
  return `<GetPersonInfoResponse xmlns="${LINKAGE_NS}">${result}${persons}${extra}</GetPersonInfoResponse>`;
}

function personXml(pid: string, p: SoapPerson): string {
  return `
      <Person pid="${escape(pid)}">
        <TitleName>${p.title}</TitleName>
        <FirstName>${p.firstName}</FirstName>
        <MiddleName/>
        <LastName>${p.lastName}</LastName>
        <EnglishName><First>${p.firstNameEn}</First><Last>${p.lastNameEn}</Last></EnglishName>
        <BirthDate>${p.birthDate}</BirthDate>
        <BirthDateText>${p.birthDateText}</BirthDateText>
        <Gender>${p.gender}</Gender>
        <NationalityCode>${p.nationalityCode}</NationalityCode>
        <Address><ProvinceCode>${p.provinceCode}</ProvinceCode><DistrictCode>${p.districtCode}</DistrictCode></Address>
      </Person>`;
}

function wrap(ns: string, body: string): string {
  return `<soap:Envelope xmlns:soap="${ns}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soap:Body>${body}</soap:Body></soap:Envelope>`;
}

function send(res: ServerResponse, status: number, soap12: boolean, xml: string): void {
  sendRaw(
    res,
    status,
    soap12 ? 'application/soap+xml; charset=utf-8' : 'text/xml; charset=utf-8',
    `<?xml version="1.0" encoding="utf-8"?>\n${xml}`,
  );
}

function sendRaw(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType });
  res.end(body);
}

/**
 * 12 MiB of Thai text inside an otherwise valid answer, chunked with no
 * Content-Length, so the client has to count the bytes as they come.
 */
function sendHuge(res: ServerResponse, xml: string): void {
  const [head = '', tail = ''] = xml.split('{padding}');
  res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
  res.write(head);
  const chunk = 'ก'.repeat(64 * 1024);
  let left = 64;
  const more = (): void => {
    while (left > 0 && !res.destroyed) {
      left -= 1;
      if (!res.write(chunk)) return void res.once('drain', more);
    }
    if (!res.destroyed) res.end(tail);
  };
  more();
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function pidIn(body: string): string | undefined {
  const raw = /<(?:[\w.-]+:)?PID>([^<]*)<\/(?:[\w.-]+:)?PID>/.exec(body)?.[1];
  return raw?.replace(
    /&(lt|gt|quot|apos|amp);/g,
    (_m, name: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[name] ?? '',
  );
}

function escape(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
