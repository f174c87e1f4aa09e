import { describe, expect, it } from 'vitest';
import { checkClaims } from '../../broker/auth/token-claims.ts';
import type { HubError } from '../../lib/errors/hub-error.ts';

const now = 1_800_000_000;
const rules = { audience: ['node-1', 'hub-cluster'], clockSkewSec: 5, now };
const good = { iss: 'FPO', aud: 'node-1', iat: now, exp: now + 60, jti: 'j-1' };
const codeOf = (claims: Record<string, unknown>) => {
  try {
    checkClaims(claims, rules);
    return 'accepted';
  } catch (error) {
    return (error as HubError).code;
  }
};

describe('agency token claims', () => {
  it('accepts a token for one of our audiences within its lifetime', () => {
    expect(codeOf(good)).toBe('accepted');
    expect(codeOf({ ...good, aud: ['hub-cluster'] })).toBe('accepted');
    expect(codeOf({ ...good, exp: now - 4 })).toBe('accepted'); // within the clock skew
  });

  it('refuses each broken claim with its own code', () => {
    expect(codeOf({ ...good, exp: now - 5 })).toBe('ERR_AUTH_EXPIRED');
    expect(codeOf({ ...good, nbf: now + 6 })).toBe('ERR_AUTH_NOT_YET_VALID');
    expect(codeOf({ ...good, aud: 'node-2' })).toBe('ERR_AUTH_WRONG_AUDIENCE');
    expect(codeOf({ ...good, aud: [1] })).toBe('ERR_AUTH_WRONG_AUDIENCE');
    expect(codeOf({ ...good, aud: undefined })).toBe('ERR_AUTH_WRONG_AUDIENCE');
    expect(codeOf({ ...good, exp: '1900000000' })).toBe('ERR_AUTH_MALFORMED');
    expect(codeOf({ ...good, iat: null })).toBe('ERR_AUTH_MALFORMED');
    expect(codeOf({ ...good, sub: 7 })).toBe('ERR_AUTH_MALFORMED');
    const { jti: _jti, ...noJti } = good;
    expect(codeOf(noJti)).toBe('ERR_AUTH_MALFORMED');
    const { exp: _exp, ...noExp } = good;
    expect(codeOf(noExp)).toBe('ERR_AUTH_MALFORMED');
  });
});
