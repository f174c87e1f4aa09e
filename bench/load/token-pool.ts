import { signAgencyToken } from '../../lib/agency-token.ts';
import type { SigningKey } from '../../lib/crypto/keys.ts';

/**
 * Agency tokens signed before a timed run, so the load generator (which shares
 * the machine with the hub) spends its CPU on calls rather than on signing.
 * Each token is still single-use and verified by the node as usual. When the
 * pool runs dry it signs on the spot and counts how often it had to.
 */
export class TokenPool {
  private tokens: string[] = [];
  signedDuringRun = 0;

  constructor(
    private readonly agency: string,
    private readonly key: SigningKey,
    private readonly audience: string,
  ) {}

  /** Replaces the pool with `count` fresh tokens (valid 120 s: use them in that time). */
  async fill(count: number): Promise<void> {
    this.tokens = [];
    this.signedDuringRun = 0;
    for (let i = 0; i < count; i++)
      this.tokens.push(await signAgencyToken(this.agency, this.key, this.audience, 120));
  }

  async take(): Promise<string> {
    const token = this.tokens.pop();
    if (token !== undefined) return token;
    this.signedDuringRun++;
    return signAgencyToken(this.agency, this.key, this.audience, 120);
  }
}
