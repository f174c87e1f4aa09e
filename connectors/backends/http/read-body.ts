import type { Readable } from 'node:stream';
import { HubError } from '../../../lib/errors/hub-error.ts';

/**
 * Reads a whole answer body, stopping as soon as it passes `limit` bytes: a
 * backend (or something in its place) must not make the connector buffer
 * without bound. The deadline aborts the stream from outside.
 */
export async function readBody(
  body: Readable,
  limit: number,
  declaredLength: string | string[] | undefined,
): Promise<string> {
  const declared = Number(Array.isArray(declaredLength) ? declaredLength[0] : declaredLength);
  if (Number.isFinite(declared) && declared > limit) {
    body.destroy();
    throw tooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    total += bytes.length;
    if (total > limit) {
      body.destroy();
      throw tooLarge(limit);
    }
    chunks.push(bytes);
  }
  return new TextDecoder('utf-8').decode(Buffer.concat(chunks, total));
}

function tooLarge(limit: number): HubError {
  return new HubError(
    'ERR_BACKEND_RESPONSE_INVALID',
    `agency backend answered with a body larger than ${limit} bytes`,
  );
}
