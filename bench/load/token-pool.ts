import type { ExchangeCall, ExchangeClient } from '../../lib/exchange-client.ts';
import { exchangeMessage } from '../../lib/exchange-client.ts';

export interface SignedCall {
  request: ExchangeCall;
  token: string;
}

/** How long a pooled token is valid (s): the node refuses it after that. */
const TOKEN_SECONDS = 120;
/** Room between a token's expiry and the end of the run that may use it (s). */
const TOKEN_MARGIN_SECONDS = 15;

/**
 * Requests built and their agency tokens signed before a timed run, so the
 * load generator (which shares the machine with the hub) spends its CPU on
 * calls rather than on signing. A token covers one request body (req_sha256),
 * so the pool holds request and token together. Each token is still
 * single-use and verified by the node as usual. Calls are taken oldest first;
 * when the pool runs dry it signs on the spot and counts how often it had to.
 */
export class TokenPool {
  private calls: (SignedCall & { signedAt: number })[] = [];
  private next = 0;
  signedDuringRun = 0;

  private readonly client: ExchangeClient;
  private readonly build: () => ExchangeCall;

  constructor(client: ExchangeClient, build: () => ExchangeCall) {
    this.client = client;
    this.build = build;
  }

  /**
   * Tops the pool up to `count` unused calls for a run of `runMs`: calls whose
   * token would expire before the run ends (with a margin) are dropped, the
   * rest kept, so a run only pays to sign what the runs before it used.
   */
  async fill(count: number, runMs: number): Promise<void> {
    const oldest = Date.now() - (TOKEN_SECONDS - TOKEN_MARGIN_SECONDS) * 1000 + runMs;
    this.calls = this.calls.slice(this.next).filter((c) => c.signedAt >= oldest);
    this.next = 0;
    this.signedDuringRun = 0;
    while (this.calls.length < count) {
      const signedAt = Date.now();
      this.calls.push({ ...(await this.sign(this.build())), signedAt });
    }
  }

  async take(): Promise<SignedCall> {
    const call = this.calls[this.next];
    if (call !== undefined) {
      this.next++;
      return call;
    }
    this.signedDuringRun++;
    return this.sign(this.build());
  }

  private async sign(request: ExchangeCall): Promise<SignedCall> {
    return { request, token: await this.client.tokenFor('RequestRecord', exchangeMessage(request), TOKEN_SECONDS) };
  }
}
