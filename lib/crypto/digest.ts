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
