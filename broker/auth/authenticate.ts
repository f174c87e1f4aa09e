import { SIGNING_ALG } from '../../lib/crypto/keys.ts';
import { signatureValid, splitCompact } from '../../lib/crypto/compact-jws.ts';
import { checkClaims } from './token-claims.ts';
import { sha256b64url } from '../../lib/crypto/digest.ts';
import { HubError } from '../../lib/errors/hub-error.ts';
import type { TokenReplayCheck } from '../claims/token-replay.ts';
import type { Policy } from '../../policies/policy.types.ts';
import { clip } from '../../lib/input.ts';
import type { CallContext } from '../transport/call-context.ts';

export interface Caller {
  agency: string;
  /**
   * SHA-256 (base64url) of the whole token as sent. The token is the agency's
   * own signature over what it asked for (`req_sha256`), so its digest on the
   * audit log is evidence the consumer cannot deny; the signature in it makes
   * the digest impossible to guess, unlike a digest of the request alone.
   */
  tokenDigest: string;
  /** When the token stops authorising (epoch ms, clock skew included): a bulk stream takes no subjects after it. */
  expiresAt: number;
}

export interface AuthOptions {
  /** This node's id and, where nodes share one, the deployment's audience (a cluster id): a token must name exactly one of them. */
  audience: string | string[];
  maxLifetimeSec: number;
  clockSkewSec: number;
}

/**
 * Authenticates an agency from its JWT (`authorization: Bearer …`). The token
 * is attacker-controlled: its unverified header and issuer only choose which
 * registered key to try; nothing else is trusted until the signature verifies.
 * The token must cover this very request (`req_sha256`) and, on a mutual-TLS
 * connection, come from the agency the client certificate is bound to.
 * Fails closed with a code that says which check failed. On success the
 * agency is also set on `ctx`, for security events.
 */
export async function authenticate(ctx: CallContext, policy: Policy, replay: TokenReplayCheck, options: AuthOptions): Promise<Caller> {
  const token = bearerToken(ctx.metadata);
  const parts = splitCompact(token);
  if (!parts.ok) throw new HubError('ERR_AUTH_MALFORMED', `malformed token: ${parts.detail}`);
  let kid: string;
  let issuer: string;
  let claims: Record<string, unknown>;
  try {
    const { header } = parts;
    if (header.alg !== SIGNING_ALG) throw new Error(`alg must be ${SIGNING_ALG}`);
    if (typeof header.kid !== 'string') throw new Error('header has no kid');
    const parsed: unknown = JSON.parse(parts.payload.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('the claims set is not a JSON object');
    claims = parsed as Record<string, unknown>;
    if (typeof claims.iss !== 'string') throw new Error('token has no iss (the agency id)');
    kid = header.kid;
    issuer = claims.iss;
  } catch (cause) {
    throw new HubError('ERR_AUTH_MALFORMED', `malformed token: ${(cause as Error).message}`, { cause });
  }
  const agency = policy.agencies.get(issuer);
  if (!agency) throw new HubError('ERR_AUTH_UNKNOWN_AGENCY', `unknown agency "${clip(issuer)}"`);
  checkCertificateBinding(ctx.peerCertSha256, agency.id, agency.tlsClientCertificates, policy);
  const key = policy.keys.find(issuer, kid);
  if (!key) throw new HubError('ERR_AUTH_UNKNOWN_KEY', `agency ${issuer} has no registered key with kid "${clip(kid)}"`);
  // Only now is anything in the claims believed: header and claims are what the signature covers.
  if (!signatureValid(parts, key)) {
    throw new HubError('ERR_AUTH_BAD_SIGNATURE', 'token signature does not verify with the agency key');
  }
  const payload = checkClaims(claims, { audience: options.audience, clockSkewSec: options.clockSkewSec, now: Date.now() / 1000 });
  const { iat, exp, jti, aud, req_sha256: requestDigest } = payload as { iat: number; exp: number; jti: unknown; aud: unknown; req_sha256: unknown };
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 128) throw new HubError('ERR_AUTH_MALFORMED', 'jti must be a string of 1 to 128 characters');
  // One audience per token: what it was made for is then unambiguous on the audit log.
  if (Array.isArray(aud) && aud.length !== 1) throw new HubError('ERR_AUTH_WRONG_AUDIENCE', `a token must name exactly one audience (${audiences(options)})`);
  if (exp < iat) throw new HubError('ERR_AUTH_MALFORMED', 'token exp is before its iat');
  if (exp - iat > options.maxLifetimeSec) {
    throw new HubError('ERR_AUTH_LIFETIME_TOO_LONG', `token lifetime ${exp - iat} s exceeds the ${options.maxLifetimeSec} s maximum`);
  }
  if (iat > Date.now() / 1000 + options.clockSkewSec) throw new HubError('ERR_AUTH_NOT_YET_VALID', 'token iat is in the future');
  if (typeof requestDigest !== 'string' || requestDigest.length === 0) {
    throw new HubError('ERR_AUTH_REQUEST_MISMATCH', 'token has no req_sha256: it must carry base64url(SHA-256) of the request message bytes');
  }
  // Without this a captured token would authorise any request body for its lifetime.
  if (requestDigest !== ctx.requestDigest) throw new HubError('ERR_AUTH_REQUEST_MISMATCH', 'token req_sha256 does not match the request message');
  // Last, once everything else holds: a claim is a write to Kafka, not made for a token that fails anyway.
  await replay.check(sha256b64url(`xhub/token\u0000${issuer}\u0000${jti}`), (exp + options.clockSkewSec) * 1000, ctx.deadline);
  ctx.agency = issuer;
  return { agency: issuer, tokenDigest: sha256b64url(token), expiresAt: (exp + options.clockSkewSec) * 1000 };
}

/**
 * On a mutual-TLS connection the certificate names the agency: a token from
 * any other agency is refused, as is a certificate bound to no agency. Without
 * a client certificate (a node not configured for mutual TLS) the token alone
 * authenticates.
 */
function checkCertificateBinding(peerCertSha256: string | undefined, issuer: string, bound: { sha256: string }[] | undefined, policy: Policy): void {
  if (peerCertSha256 === undefined) return;
  if (bound?.some((c) => c.sha256 === peerCertSha256)) return;
  const owner = [...policy.agencies.values()].find((a) => a.tlsClientCertificates?.some((c) => c.sha256 === peerCertSha256));
  throw new HubError(
    'ERR_AUTH_CERT_MISMATCH',
    owner ? `the client certificate is bound to agency ${owner.id}, not to the token's issuer ${issuer}` : 'the client certificate is bound to no agency in the registry',
  );
}

function bearerToken(metadata: CallContext['metadata']): string {
  const values = metadata.get('authorization');
  if (values.length === 0) throw new HubError('ERR_AUTH_MISSING', 'no authorization metadata: send "authorization: Bearer <agency-signed JWT>"');
  const value = values[0];
  if (values.length > 1 || typeof value !== 'string' || !/^Bearer [A-Za-z0-9_.-]+$/.test(value)) {
    throw new HubError('ERR_AUTH_MALFORMED', 'authorization metadata must be exactly one "Bearer <JWT>"');
  }
  return value.slice('Bearer '.length);
}

function audiences(options: AuthOptions): string {
  return [options.audience].flat().map((a) => `"${a}"`).join(' or ');
}
