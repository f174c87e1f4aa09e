import { HubError } from '../../../lib/errors/hub-error.ts';
import type { HttpAnswer } from '../http/http-client.types.ts';
import { retrySafe } from '../retry-safety.ts';
import { soapFault } from './soap-fault.ts';
import type { SoapOperation } from './soap-operation.ts';
import { parseXml } from './soap-xml.ts';
import { readField, selectRecord } from './xml-path.ts';

const SOURCE = 'agency SOAP backend';

/**
 * What one HTTP answer means: 200 → the record's fields (a fault sent with
 * 200 is still a fault), or undefined when the record element is absent;
 * every other status → the error it stands for. Nothing of the body reaches a
 * message but a SOAP fault code.
 */
export function readAnswer(answer: HttpAnswer, operation: SoapOperation): Record<string, string> | undefined {
  if (answer.status !== 200) throw statusError(answer);
  checkEncoding(answer);
  const root = parseXml(answer.text, SOURCE);
  const fault = soapFault(root, SOURCE);
  if (fault) throw fault;
  const record = selectRecord(root, operation.recordPath, SOURCE);
  if (!record) return undefined;
  const values: [string, string][] = [];
  for (const [name, path] of operation.fields) {
    const value = readField(record, path, name, SOURCE);
    if (value !== undefined) values.push([name, value]); // absent stays absent: the mapping decides if it is optional
  }
  // fromEntries defines own properties, so even a field named __proto__ cannot reach the prototype.
  return Object.fromEntries(values);
}

const UTF8 = /^(utf-?8|us-ascii)$/i;
const SHOWN = /^[A-Za-z0-9._-]{1,40}$/;

/**
 * The HTTP client decodes bodies as UTF-8. A legacy Thai service answering in
 * TIS-620 or windows-874 would come out as garbled names, so any other
 * declared encoding (Content-Type charset, XML declaration) is refused.
 */
function checkEncoding(answer: HttpAnswer): void {
  const charset = /charset="?([^";\s]+)/i.exec(answer.headers.get('content-type') ?? '')?.[1];
  const declared = /^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([^"']*)["']/.exec(answer.text)?.[1];
  for (const name of [charset, declared]) {
    if (name === undefined || UTF8.test(name)) continue;
    const shown = SHOWN.test(name) ? name : '(not shown)';
    throw new HubError(
      'ERR_BACKEND_RESPONSE_INVALID',
      `${SOURCE} answered in encoding ${shown}; only UTF-8 is read`,
    );
  }
}

function statusError(answer: HttpAnswer): HubError {
  const { status } = answer;
  // The backend says it could not serve the request: nothing was read, so asking again is safe.
  if (status === 502 || status === 503 || status === 504) {
    return retrySafe(new HubError('ERR_BACKEND_UNAVAILABLE', `${SOURCE} answered HTTP ${status}`));
  }
  // SOAP 1.1 s.6.2 and SOAP 1.2 part 2 s.7.5.2 send faults with 500 (and 1.2 Sender faults with 400).
  const fault = faultIn(answer.text);
  if (fault) return fault;
  if (status >= 500) return new HubError('ERR_BACKEND_UNAVAILABLE', `${SOURCE} answered HTTP ${status}`);
  return new HubError('ERR_BACKEND_FAULT', `${SOURCE} answered HTTP ${status}`);
}

function faultIn(text: string): HubError | undefined {
  try {
    return soapFault(parseXml(text, SOURCE), SOURCE);
  } catch {
    return undefined; // an error page, not a SOAP fault
  }
}
