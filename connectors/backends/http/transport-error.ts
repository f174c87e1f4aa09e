import { HubError } from '../../../lib/errors/hub-error.ts';
import { retrySafe } from '../retry-safety.ts';

// Nothing reached the backend, or the connection died before it answered: a
// read is safe to send again.
const REFUSED_OR_RESET = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);
const NAME_NOT_RESOLVED = new Set(['ENOTFOUND', 'EAI_AGAIN']);

/**
 * Turns what undici or node:tls threw into a HubError. Only the error's code
 * is kept in the message: the peer's own words stay in `cause`, which is
 * never logged.
 */
export function transportFailure(error: unknown, answered: boolean, peer: string): HubError {
  const code = errorCode(error);
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new HubError('ERR_BACKEND_TIMEOUT', `${peer} did not accept the connection in time`, {
      cause: error,
    });
  }
  if (REFUSED_OR_RESET.has(code)) {
    const failure = new HubError('ERR_BACKEND_UNAVAILABLE', `${peer} cannot be reached (${code})`, {
      cause: error,
    });
    return answered ? failure : retrySafe(failure);
  }
  if (NAME_NOT_RESOLVED.has(code)) {
    return new HubError('ERR_BACKEND_UNAVAILABLE', `${peer} host name does not resolve (${code})`, {
      cause: error,
    });
  }
  if (isTlsCode(code)) {
    return new HubError('ERR_BACKEND_UNAVAILABLE', `TLS with the ${peer} failed (${code})`, { cause: error });
  }
  return new HubError('ERR_BACKEND_UNAVAILABLE', `${peer} cannot be reached (${code || 'unknown error'})`, {
    cause: error,
  });
}

function isTlsCode(code: string): boolean {
  return (
    code.startsWith('ERR_SSL_') ||
    code.startsWith('ERR_TLS_') ||
    code.includes('CERT') ||
    code.includes('SIGNATURE') ||
    code === 'EPROTO'
  );
}

function errorCode(error: unknown): string {
  // Node reports several failed addresses (IPv4 and IPv6) as one AggregateError with the code set.
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return '';
}
