import type { ClientTransport } from './client-transport.ts';
import type { SigningKey } from './crypto/keys.ts';
import { exchangeService, type RequestRecordRequest, type RequestRecordResponse } from './proto.ts';
import { ServiceClient, type CallOptions } from './service-client.ts';

export type ExchangeCall = Partial<RequestRecordRequest> & Pick<RequestRecordRequest, 'clientRequestId'>;

/** A small client for agency systems: signs a fresh token for every call. */
export class ExchangeClient extends ServiceClient<'RequestRecord'> {
  constructor(address: string, agency: string, key: SigningKey, audience: string, transport: ClientTransport = {}) {
    super(exchangeService().Client, address, agency, key, audience, transport);
  }

  requestRecord(request: ExchangeCall, options: CallOptions = {}): Promise<RequestRecordResponse> {
    return this.call<RequestRecordResponse>('RequestRecord', exchangeMessage(request), options);
  }
}

/** The full request message for a call: what its bytes, and so its token's req_sha256, are computed from. */
export function exchangeMessage(request: ExchangeCall): RequestRecordRequest {
  return { subject: '', recordType: '', purpose: '', fields: [], consentId: '', ...request };
}
