import type { ExchangeCall, ExchangeClient } from '../../lib/exchange-client.ts';
import { exchangeMessage } from '../../lib/exchange-client.ts';

export interface SignedCall {
  request: ExchangeCall;
  token: string;
}

/**
 * Requests built and their agency tokens signed before a timed run, so the
 * load generator (which shares the machine with the hub) spends its CPU on
 * calls rather than on signing. A token covers one request body (req_sha256),
 * so the pool holds request and token together. Each token is still
 * single-use and verified by the node as usual. When the pool runs dry it
 * signs on the spot and counts how often it had to.
 */
export class TokenPool {
  private calls: SignedCall[] = [];
  signedDuringRun = 0;

  private readonly client: ExchangeClient;
  private readonly build: () => ExchangeCall;

  constructor(client: ExchangeClient, build: () => ExchangeCall) {
    this.client = client;
    this.build = build;
  }

  /** Replaces the pool with `count` fresh calls (tokens valid 120 s: use them in that time). */
  async fill(count: number): Promise<void> {
    this.calls = [];
    this.signedDuringRun = 0;
    for (let i = 0; i < count; i++) this.calls.push(await this.sign(this.build()));
  }

  async take(): Promise<SignedCall> {
    const call = this.calls.pop();
    if (call !== undefined) return call;
    this.signedDuringRun++;
    return this.sign(this.build());
  }

  private async sign(request: ExchangeCall): Promise<SignedCall> {
    return { request, token: await this.client.tokenFor('RequestRecord', exchangeMessage(request), 120) };
  }
}
