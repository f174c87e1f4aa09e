import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { HubError } from '../../../lib/errors/hub-error.ts';
import { decodeXmlText } from './xml-text.ts';
import type { XmlElement } from './xml-element.types.ts';

// Attacker-controlled input: a backend's answer, or something in its place. The
// parser never expands entities (processEntities off); the five predefined
// ones and character references are decoded afterwards by `decodeXmlText`,
// which cannot recurse. Values stay strings: a citizen id, `099` or `0105`
// must not turn into numbers.
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  htmlEntities: false,
  trimValues: false,
  cdataPropName: '#cdata',
  commentPropName: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

/** Any DTD at all: SOAP 1.1 s.3 and SOAP 1.2 part 1 s.5 forbid a DTD in a SOAP message, so there is nothing to allow. */
const DTD = /<!(DOCTYPE|ENTITY)/i;

/**
 * Parses one XML document into an element tree with namespace prefixes
 * removed (paths match local names). A DTD, malformed XML, a document with
 * more than one root or an undefined entity is ERR_BACKEND_RESPONSE_INVALID;
 * the message says which, never what the document held.
 */
export function parseXml(text: string, source: string): XmlElement {
  if (DTD.test(text)) {
    // Refused before the parser sees it: no external entity (XXE) is resolved, no entity bomb is expanded.
    throw invalid(`${source} answered with a DTD, which SOAP forbids`);
  }
  const verdict = XMLValidator.validate(text);
  if (verdict !== true) {
    // The validator's own message quotes the document; only the position is kept.
    throw invalid(`${source} answered with XML that is not well-formed (line ${verdict.err.line})`);
  }
  let nodes: unknown;
  try {
    nodes = parser.parse(text);
  } catch {
    throw invalid(`${source} answered with XML that cannot be parsed`);
  }
  const roots = toElements(nodes, source);
  if (roots.length !== 1 || !roots[0])
    throw invalid(`${source} answered with ${roots.length} root elements, not one`);
  return roots[0];
}

/** Escapes a value for XML text or a quoted attribute (XML 1.0 s.2.4, s.3.1). */
export function escapeXml(value: string): string {
  if (!isXmlChars(value))
    throw new HubError('ERR_INVALID_ARGUMENT', 'subject holds a character XML 1.0 cannot carry');
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** XML 1.0 s.2.2: control characters, lone surrogates and U+FFFE/U+FFFF cannot appear in a document, escaped or not. */
function isXmlChars(value: string): boolean {
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20 && code !== 0x9 && code !== 0xa && code !== 0xd) return false;
    if ((code >= 0xd800 && code <= 0xdfff) || code === 0xfffe || code === 0xffff) return false;
  }
  return true;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** The request body: every `{subject}` in the template replaced by the escaped subject. */
export function fillTemplate(template: string, subject: string): string {
  const escaped = escapeXml(subject);
  // A function, not a string: `$&` or `$<` in the subject must not be read as replacement patterns.
  return template.replaceAll('{subject}', () => escaped);
}

/** Turns the parser's ordered output into elements, decoding text as it goes. */
function toElements(nodes: unknown, source: string): XmlElement[] {
  if (!Array.isArray(nodes)) throw invalid(`${source} answered with XML that cannot be parsed`);
  const elements: XmlElement[] = [];
  for (const node of nodes as Record<string, unknown>[]) {
    const name = Object.keys(node).find((key) => key !== ':@' && key !== '#text' && key !== '#cdata');
    if (name === undefined) continue; // text or CDATA outside any element: whitespace around the root
    elements.push(toElement(name, node, source));
  }
  return elements;
}

function toElement(name: string, node: Record<string, unknown>, source: string): XmlElement {
  const attributes = new Map<string, string>();
  for (const [key, value] of Object.entries((node[':@'] ?? {}) as Record<string, string>)) {
    attributes.set(key, decode(value, source));
  }
  const children: XmlElement[] = [];
  let text = '';
  for (const child of node[name] as Record<string, unknown>[]) {
    if ('#text' in child) text += decode(String(child['#text']), source);
    else if ('#cdata' in child) text += cdataText(child['#cdata']);
    else children.push(...toElements([child], source));
  }
  return { name, attributes, children, text };
}

/** CDATA is taken literally: `&amp;` inside it is five characters, not one. */
function cdataText(cdata: unknown): string {
  return (cdata as { '#text'?: string }[]).map((part) => part['#text'] ?? '').join('');
}

function decode(raw: string, source: string): string {
  const decoded = decodeXmlText(raw);
  if (decoded === undefined)
    throw invalid(`${source} answered with an undefined or invalid entity reference`);
  return decoded;
}

function invalid(message: string): HubError {
  return new HubError('ERR_BACKEND_RESPONSE_INVALID', message);
}
