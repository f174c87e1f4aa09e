import * as grpc from '@grpc/grpc-js';
import { signAgencyToken } from './agency-token.ts';
import type { SigningKey } from './crypto/keys.ts';
import { exchangeService, type RequestRecordRequest, type RequestRecordResponse } from './proto.ts';

export type ExchangeCall = Partial<RequestRecordRequest> & Pick<RequestRecordRequest, 'clientRequestId'>;

/** A small client for agency systems: signs a fresh token for every call. */
export class ExchangeClient {
  private readonly client: grpc.Client & Record<string, unknown>;

  constructor(
    address: string,
    private readonly agency: string,
    private readonly key: SigningKey,
    private readonly audience: string,
  ) {
    const { Client } = exchangeService();
    this.client = new Client(address, grpc.credentials.createInsecure());
  }

  async requestRecord(request: ExchangeCall, options: { timeoutMs?: number; token?: string } = {}): Promise<RequestRecordResponse> {
    const metadata = new grpc.Metadata();
    const token = options.token ?? (await signAgencyToken(this.agency, this.key, this.audience));
    metadata.set('authorization', `Bearer ${token}`);
    const message: RequestRecordRequest = { subject: '', recordType: '', purpose: '', fields: [], consentId: '', ...request };
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    const method = this.client.RequestRecord as (
      req: RequestRecordRequest,
      md: grpc.Metadata,
      opts: grpc.CallOptions,
      cb: (error: grpc.ServiceError | null, response?: RequestRecordResponse) => void,
    ) => void;
    return new Promise((resolve, reject) => {
      method.call(this.client, message, metadata, { deadline }, (error, response) => (error ? reject(error) : resolve(response!)));
    });
  }

  close(): void {
    this.client.close();
  }
}
