import { HubError } from '../../../lib/errors/hub-error.ts';
import type { XmlElement } from './xml-element.types.ts';

/** A compiled slash path: element local names, then optionally one attribute. */
export interface XmlPath {
  readonly elements: readonly string[];
  readonly attribute?: string;
}

const NAME = /^[\p{L}_][\p{L}\p{N}_.-]*$/u;

/**
 * Compiles `Envelope/Body/GetPersonInfoResponse/Person`, `Name/First` or
 * `Name/@lang`. A `prefix:` on a step is dropped, as it is in the answer:
 * paths match local names. Throws ERR_CONFIG_INVALID naming `where`.
 */
export function compilePath(path: string, where: string, allowAttribute: boolean): XmlPath {
  if (path === '') throw configInvalid(where, 'is empty');
  const steps = path.split('/').map((step) => step.replace(/^[^:@]*:/, ''));
  const last = steps.at(-1) ?? '';
  const attribute = last.startsWith('@') ? last.slice(1).replace(/^[^:]*:/, '') : undefined;
  const elements = attribute === undefined ? steps : steps.slice(0, -1);
  if (attribute !== undefined && !allowAttribute)
    throw configInvalid(where, 'names an attribute; it must name an element');
  for (const step of [...elements, ...(attribute === undefined ? [] : [attribute])]) {
    if (!NAME.test(step))
      throw configInvalid(where, `has an invalid step "${step}" (expected Name/Name or Name/@attr)`);
  }
  return attribute === undefined ? { elements } : { elements, attribute };
}

/**
 * The record element: every step but the last must be there exactly once
 * (else the answer is not the shape configured: ERR_BACKEND_RESPONSE_INVALID);
 * the last step absent means no record, repeated means the backend holds more
 * than one record for the subject (ERR_BACKEND_AMBIGUOUS).
 */
export function selectRecord(root: XmlElement, path: XmlPath, source: string): XmlElement | undefined {
  const [first, ...rest] = path.elements;
  let matches = root.name === first ? [root] : [];
  for (const [index, step] of rest.entries()) {
    const parent = matches[0];
    if (matches.length !== 1 || !parent)
      throw shapeInvalid(source, path.elements.slice(0, index + 1), matches.length);
    matches = parent.children.filter((child) => child.name === step);
  }
  if (matches.length > 1)
    throw new HubError(
      'ERR_BACKEND_AMBIGUOUS',
      `${source} answered with ${matches.length} records where one was expected`,
    );
  return matches[0];
}

/**
 * Reads one field below the record: a string, or undefined when the element
 * or attribute is absent or marked `xsi:nil`. A repeated element, or an
 * element with children where text is expected, is ERR_BACKEND_RESPONSE_INVALID.
 */
export function readField(
  record: XmlElement,
  path: XmlPath,
  field: string,
  source: string,
): string | undefined {
  let element = record;
  for (const step of path.elements) {
    const matches = element.children.filter((child) => child.name === step);
    if (matches.length > 1)
      throw fieldInvalid(
        source,
        field,
        `element ${step} appears ${matches.length} times where one is expected`,
      );
    if (!matches[0]) return undefined;
    element = matches[0];
  }
  if (path.attribute !== undefined) return element.attributes.get(path.attribute);
  // Prefixes are removed, so this is `xsi:nil` (XML Schema part 1 s.2.6.2): an explicit "no value".
  if (element.attributes.get('nil') === 'true') return undefined;
  if (element.children.length > 0)
    throw fieldInvalid(source, field, 'is an element with children, not a text value');
  return element.text;
}

function configInvalid(where: string, reason: string): HubError {
  return new HubError('ERR_CONFIG_INVALID', `${where} ${reason}`);
}

function shapeInvalid(source: string, steps: readonly string[], found: number): HubError {
  const what = found === 0 ? 'has no' : `repeats (${found} times)`;
  return new HubError('ERR_BACKEND_RESPONSE_INVALID', `${source} answer ${what} ${steps.join('/')}`);
}

function fieldInvalid(source: string, field: string, reason: string): HubError {
  return new HubError('ERR_BACKEND_RESPONSE_INVALID', `${source} answer field ${field}: ${reason}`);
}
