import * as grpc from '@grpc/grpc-js';
import { signAgencyToken } from './agency-token.ts';
import type { SigningKey } from './crypto/keys.ts';

/** A client of one hub service as an agency: signs a fresh token for every call. */
export class ServiceClient<Method extends string> {
  private readonly client: grpc.Client & Record<string, unknown>;

  constructor(
    Client: grpc.ServiceClientConstructor,
    address: string,
    private readonly agency: string,
    private readonly key: SigningKey,
    private readonly audience: string,
  ) {
    this.client = new Client(address, grpc.credentials.createInsecure());
  }

  async call<T = Record<string, unknown>>(method: Method, request: object, options: { timeoutMs?: number; token?: string } = {}): Promise<T> {
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${options.token ?? (await signAgencyToken(this.agency, this.key, this.audience))}`);
    const fn = this.client[method] as (req: object, md: grpc.Metadata, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r?: T) => void) => void;
    return new Promise((resolve, reject) => {
      fn.call(this.client, request, metadata, { deadline: Date.now() + (options.timeoutMs ?? 10_000) }, (error, response) => (error ? reject(error) : resolve(response!)));
    });
  }

  close(): void {
    this.client.close();
  }
}
