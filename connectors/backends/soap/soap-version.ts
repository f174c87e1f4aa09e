import { XMLParser } from 'fast-xml-parser';

export type SoapVersion = '1.1' | '1.2' | 'plain';

const NAMESPACES = new Map<string, SoapVersion>([
  ['http://schemas.xmlsoap.org/soap/envelope/', '1.1'],
  ['http://www.w3.org/2003/05/soap-envelope', '1.2'],
]);

// Namespaces kept, unlike the answer parser: the version is the envelope's namespace URI.
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  processEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

/**
 * Which SOAP the request template speaks, from its root element's namespace:
 * SOAP 1.1 and 1.2 differ on the wire (content type, where the action goes).
 * Any other root is plain XML over HTTP. The template is operator config,
 * already checked to be well-formed.
 */
export function soapVersion(template: string): SoapVersion {
  const nodes = parser.parse(template) as Record<string, unknown>[];
  const root = nodes.find((node) => Object.keys(node).some((key) => key !== ':@' && !key.startsWith('#')));
  if (!root) return 'plain';
  const name = Object.keys(root).find((key) => key !== ':@') ?? '';
  const attributes = (root[':@'] ?? {}) as Record<string, string>;
  const [prefix, local] = name.includes(':') ? name.split(':', 2) : [undefined, name];
  if (local !== 'Envelope') return 'plain';
  const uri = attributes[prefix === undefined ? 'xmlns' : `xmlns:${prefix}`];
  return (uri !== undefined && NAMESPACES.get(uri)) || 'plain';
}

/**
 * Request headers. SOAP 1.1 s.6.1.1: `SOAPAction` is required and quoted,
 * `""` when the endpoint URL says it all. SOAP 1.2 (RFC 3902): the action is
 * the `action` parameter of `application/soap+xml`, and there is no SOAPAction.
 */
export function soapHeaders(version: SoapVersion, soapAction: string | undefined): Record<string, string> {
  const accept = 'text/xml, application/soap+xml, application/xml';
  if (version === '1.2') {
    const action = soapAction === undefined ? '' : `; action="${soapAction}"`;
    return { 'content-type': `application/soap+xml; charset=utf-8${action}`, accept };
  }
  const headers: Record<string, string> = { 'content-type': 'text/xml; charset=utf-8', accept };
  if (version === '1.1' || soapAction !== undefined) headers.soapaction = `"${soapAction ?? ''}"`;
  return headers;
}
