import { HubError } from '../../lib/errors/hub-error.ts';

export interface ClaimRules {
  /** The names a token may be for: it must name one of them. */
  audience: string | string[];
  clockSkewSec: number;
  /** Now, in seconds since the epoch. */
  now: number;
}

export interface TokenClaims {
  iss: string;
  iat: number;
  exp: number;
  jti: unknown;
  aud: string | string[];
  req_sha256?: unknown;
  [claim: string]: unknown;
}

/**
 * The registered claims of a verified agency token (RFC 7519 §4.1), as jose's
 * jwtVerify checks them: iat, exp and jti present; exp, iat and nbf numeric
 * dates; exp not past and nbf not ahead (both within the clock skew); the
 * audience one of ours. Each failure names its claim and code.
 */
export function checkClaims(claims: Record<string, unknown>, rules: ClaimRules): TokenClaims {
  for (const name of ['iat', 'exp', 'jti'] as const) {
    if (!(name in claims)) throw new HubError('ERR_AUTH_MALFORMED', `token claim ${name}: missing required "${name}" claim`);
  }
  for (const name of ['iat', 'exp', 'nbf'] as const) {
    const value = claims[name];
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
      throw new HubError('ERR_AUTH_MALFORMED', `token claim ${name}: must be a number (seconds since the epoch)`);
    }
  }
  const { exp, nbf } = claims as { exp: number; nbf?: number };
  if (typeof nbf === 'number' && nbf > rules.now + rules.clockSkewSec) throw new HubError('ERR_AUTH_NOT_YET_VALID', 'token nbf is in the future');
  if (exp <= rules.now - rules.clockSkewSec) throw new HubError('ERR_AUTH_EXPIRED', 'token has expired');
  const aud = claims.aud;
  const named = typeof aud === 'string' ? [aud] : Array.isArray(aud) && aud.every((a) => typeof a === 'string') ? (aud) : undefined;
  const ours = [rules.audience].flat();
  if (!named?.some((a) => ours.includes(a))) {
    throw new HubError('ERR_AUTH_WRONG_AUDIENCE', `token audience must be ${ours.map((a) => `"${a}"`).join(' or ')}`);
  }
  if (claims.sub !== undefined && typeof claims.sub !== 'string') throw new HubError('ERR_AUTH_MALFORMED', 'token claim sub: must be a string');
  return claims as TokenClaims;
}
