import { HubError } from '../../lib/errors/hub-error.ts';
import type { ClaimLog } from './claim-log.ts';

/**
 * How authentication learns that a token is used for the first time. The
 * token key is a digest of issuer and jti; `expMs` when the token stops being
 * valid anyway (its exp plus the clock tolerance).
 */
export interface TokenReplayCheck {
  check(tokenKey: string, expMs: number, deadline: number): Promise<void>;
}

export const REPLAYED_MESSAGE = 'token was already used (its jti was claimed before, on this or another node); sign a new token for every call';

/**
 * The deployment-wide check: the token is claimed on the claims topic, and
 * only the first claim in log order is accepted, on whichever node and after
 * any restart. Costs one produce and its read-back per call.
 */
export class ClaimedTokens implements TokenReplayCheck {
  private readonly claims: ClaimLog;

  constructor(claims: ClaimLog) {
    this.claims = claims;
  }

  async check(tokenKey: string, expMs: number, deadline: number): Promise<void> {
    const { verdict } = await this.claims.claim({ token: { key: tokenKey, exp: expMs } }, deadline);
    if (verdict.tokenReplayed) throw new HubError('ERR_AUTH_REPLAYED', REPLAYED_MESSAGE);
  }
}

/**
 * Keeps the token's claim for later: an exchange claims its token and its
 * request in one record (one round trip instead of two).
 */
export class DeferredTokenClaim implements TokenReplayCheck {
  token: { key: string; exp: number } | undefined;

  async check(tokenKey: string, expMs: number): Promise<void> {
    this.token = { key: tokenKey, exp: expMs };
  }
}
