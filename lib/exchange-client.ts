import type { SigningKey } from './crypto/keys.ts';
import { exchangeService, type RequestRecordRequest, type RequestRecordResponse } from './proto.ts';
import { ServiceClient } from './service-client.ts';

export type ExchangeCall = Partial<RequestRecordRequest> & Pick<RequestRecordRequest, 'clientRequestId'>;

/** A small client for agency systems: signs a fresh token for every call. */
export class ExchangeClient extends ServiceClient<'RequestRecord'> {
  constructor(address: string, agency: string, key: SigningKey, audience: string) {
    super(exchangeService().Client, address, agency, key, audience);
  }

  requestRecord(request: ExchangeCall, options: { timeoutMs?: number; token?: string } = {}): Promise<RequestRecordResponse> {
    const message: RequestRecordRequest = { subject: '', recordType: '', purpose: '', fields: [], consentId: '', ...request };
    return this.call<RequestRecordResponse>('RequestRecord', message, options);
  }
}
