import pg from 'pg';
import type { ErrorCode } from '../../../lib/errors/error-codes.ts';
import { HubError, isHubError } from '../../../lib/errors/hub-error.ts';
import { retrySafe } from '../retry-safety.ts';

/**
 * What a driver or server failure means for the consumer. Only a stable code
 * (SQLSTATE, errno or TLS code) is ever kept: the server's text, detail and
 * hint can quote the subject, a value or the SQL, and the original error is
 * deliberately not kept as `cause` because pino's error serializer prints
 * every cause's message.
 */
export interface FailureClass {
  code: Extract<ErrorCode, 'ERR_BACKEND_UNAVAILABLE' | 'ERR_BACKEND_TIMEOUT' | 'ERR_BACKEND_FAULT'>;
  /** SQLSTATE, errno or TLS code, or a short word; safe to show. */
  reason: string;
  /** A read that can be repeated as is: the database never answered, or asked for a retry. */
  retrySafe: boolean;
}

const QUERY_CANCELED = '57014';
/** The read was rolled back by the server and may simply run again. */
const RETRY_SQLSTATES = new Set(['40001', '40P01']); // serialization_failure, deadlock_detected
/** The server is going away, starting up or full. */
const GONE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
/** Wrong password, unknown role or database: unavailable until someone fixes the credentials. */
const REFUSED_SQLSTATE = /^(28|3D)/;
const NETWORK_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ENOENT',
]);
/** pg's own connection failures carry no code; their wording is stable across pg 8. */
const PG_CONNECTION_LOST =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/** Certificate problems do not heal on retry: chain, expiry, host name. */
const TLS_CODE = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO/;

export function classify(error: unknown): FailureClass {
  if (error instanceof pg.DatabaseError) return classifySqlState(error.code);
  const raw = (error as { code?: unknown } | null)?.code;
  const code = typeof raw === 'string' ? raw : '';
  const message = error instanceof Error ? error.message : '';
  if (NETWORK_ERRNOS.has(code)) return unavailable(code, true);
  if (TLS_CODE.test(code)) return unavailable(`TLS ${code}`, false);
  if (/does not support SSL/.test(message)) return unavailable('TLS not offered by the server', false);
  if (PG_CONNECTION_LOST.test(message)) return unavailable('connection lost', true);
  return { code: 'ERR_BACKEND_FAULT', reason: 'unexpected driver error', retrySafe: false };
}

function classifySqlState(sqlState: string | undefined): FailureClass {
  const state = sqlState !== undefined && /^[0-9A-Z]{5}$/.test(sqlState) ? sqlState : 'unknown';
  const reason = `SQLSTATE ${state}`;
  if (state === QUERY_CANCELED) return { code: 'ERR_BACKEND_TIMEOUT', reason, retrySafe: false };
  if (RETRY_SQLSTATES.has(state)) return { code: 'ERR_BACKEND_FAULT', reason, retrySafe: true };
  if (state.startsWith('08') || GONE_SQLSTATES.has(state)) return unavailable(reason, true);
  if (REFUSED_SQLSTATE.test(state)) return unavailable(reason, false);
  return { code: 'ERR_BACKEND_FAULT', reason, retrySafe: false };
}

function unavailable(reason: string, retrySafe: boolean): FailureClass {
  return { code: 'ERR_BACKEND_UNAVAILABLE', reason, retrySafe };
}

/** A failed fetch, as the consumer sees it: no host, no SQL, no server text. */
export function fetchError(error: unknown, recordType: string): HubError {
  if (isHubError(error)) return error;
  const failure = classify(error);
  const what = {
    ERR_BACKEND_UNAVAILABLE: 'postgres backend is unavailable',
    ERR_BACKEND_TIMEOUT: `postgres query for ${recordType} was cancelled at its time limit`,
    ERR_BACKEND_FAULT: `postgres query for ${recordType} failed`,
  }[failure.code];
  const hubError = new HubError(failure.code, `${what} (${failure.reason})`);
  return failure.retrySafe ? retrySafe(hubError) : hubError;
}

/** A database that cannot be used at start-up, for the operator: where, but never the password. */
export function openError(error: unknown, endpoint: string, user: string): HubError {
  if (isHubError(error)) return error;
  const failure = classify(error);
  if (failure.code === 'ERR_BACKEND_UNAVAILABLE' && /SQLSTATE 28/.test(failure.reason)) {
    return new HubError(
      'ERR_BACKEND_UNAVAILABLE',
      `postgres database at ${endpoint} refused role ${user} (${failure.reason})`,
    );
  }
  if (failure.reason.startsWith('TLS')) {
    return new HubError(
      'ERR_BACKEND_UNAVAILABLE',
      `postgres database at ${endpoint} gave no verified TLS connection (${failure.reason})`,
    );
  }
  return new HubError(
    'ERR_BACKEND_UNAVAILABLE',
    `postgres database at ${endpoint} cannot be reached (${failure.reason})`,
  );
}
