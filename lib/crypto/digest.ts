import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** SHA-256 as base64url, the digest form used across envelopes. */
export function sha256b64url(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('base64url');
}

/** RFC 8785 JSON canonicalisation, so digests of JSON do not depend on key order. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value cannot be canonicalised as JSON');
  return text;
}

/**
 * A plain object's RFC 8785 canonical JSON (`text`), kept member by member so
 * that the same object with one more member (its signature) costs a string
 * join, not a second canonicalisation: `with(name, value)` is exactly
 * canonicalJson({ ...object, [name]: value }).
 */
export class CanonicalObject {
  readonly text: string;
  private readonly keys: string[];
  private readonly members: string[];

  constructor(value: object) {
    const record = value as Record<string, unknown>;
    // The keys, values left out and order as RFC 8785 (and canonicalJson) has them.
    this.keys = Object.keys(record)
      .sort()
      .filter((k) => record[k] !== undefined && typeof record[k] !== 'symbol');
    this.members = this.keys.map((k) => `${canonicalJson(k)}:${canonicalJson(record[k])}`);
    this.text = `{${this.members.join(',')}}`;
  }

  with(name: string, value: unknown): string {
    if (this.keys.includes(name)) throw new Error(`the object already has a member ${JSON.stringify(name)}`);
    const at = this.keys.findIndex((k) => k > name);
    const members = [...this.members];
    members.splice(at === -1 ? members.length : at, 0, `${canonicalJson(name)}:${canonicalJson(value)}`);
    return `{${members.join(',')}}`;
  }
}

/**
 * Whether `text` is the RFC 8785 canonical JSON of `value` (what JSON.parse
 * made of it). Mostly answered by the engine's own JSON.stringify (far cheaper
 * than canonicalising again): when every object's keys already come in sorted
 * order and every string is well-formed, canonical JSON is exactly
 * JSON.stringify's output. Anything else (integer-like keys, which objects
 * keep in numeric order) is checked the full way, so the answer is always
 * canonicalJson(value) === text.
 */
export function isCanonicalText(value: unknown, text: string): boolean {
  if (JSON.stringify(value) === text && sortedAndWellFormed(value)) return true;
  try {
    return canonicalJson(value) === text;
  } catch {
    return false;
  }
}

function sortedAndWellFormed(value: unknown): boolean {
  if (typeof value === 'string') return value.isWellFormed();
  if (typeof value !== 'object' || value === null) return true;
  if (Array.isArray(value)) return value.every(sortedAndWellFormed);
  const record = value as Record<string, unknown>;
  let previous: string | undefined;
  for (const key of Object.keys(record)) {
    if (!key.isWellFormed() || (previous !== undefined && !(previous < key)) || !sortedAndWellFormed(record[key])) return false;
    previous = key;
  }
  return true;
}
