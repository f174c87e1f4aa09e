import { HubError } from '../../../lib/errors/hub-error.ts';
import type { XmlElement } from './xml-element.types.ts';

/** A fault code is a QName such as `soap:Server` or `env:Receiver`; anything else is not repeated. */
const QNAME = /^[A-Za-z_][\w.-]{0,63}(:[A-Za-z_][\w.-]{0,63})?$/;

/**
 * The SOAP fault in an answer, as ERR_BACKEND_FAULT carrying only the fault
 * code, or undefined when the answer is not a fault. SOAP 1.1 s.4.4 puts the
 * code in `Fault/faultcode`; SOAP 1.2 part 1 s.5.4.6 in `Fault/Code/Value`.
 * The faultstring and Reason are the backend's own words and may quote the
 * subject or the record: they are never copied.
 */
export function soapFault(root: XmlElement, source: string): HubError | undefined {
  if (root.name !== 'Envelope') return undefined;
  const fault = child(child(root, 'Body'), 'Fault');
  if (!fault) return undefined;
  const code = (child(fault, 'faultcode') ?? child(child(fault, 'Code'), 'Value'))?.text.trim();
  const shown =
    code === undefined || code === ''
      ? '(no code)'
      : QNAME.test(code)
        ? code
        : '(code not a QName, not shown)';
  return new HubError('ERR_BACKEND_FAULT', `${source} answered with SOAP fault ${shown}`);
}

function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((c) => c.name === name);
}
