import * as grpc from '@grpc/grpc-js';
import { requestDigest, signAgencyToken } from './agency-token.ts';
import { channelCredentials, type ClientTransport } from './client-transport.ts';
import type { SigningKey } from './crypto/keys.ts';

export interface CallOptions {
  timeoutMs?: number;
  /** A token signed beforehand; it must cover exactly this request (see `tokenFor`). */
  token?: string;
}

/** A client of one hub service as an agency: signs a fresh token, bound to the request, for every call. */
export class ServiceClient<Method extends string> {
  private readonly client: grpc.Client & Record<string, unknown>;

  private readonly Client: grpc.ServiceClientConstructor;
  private readonly agency: string;
  private readonly key: SigningKey;
  private readonly audience: string;

  constructor(Client: grpc.ServiceClientConstructor, address: string, agency: string, key: SigningKey, audience: string, transport: ClientTransport = {}) {
    this.Client = Client;
    this.agency = agency;
    this.key = key;
    this.audience = audience;
    this.client = new Client(address, channelCredentials(transport));
  }

  /** The `req_sha256` of a request: its bytes as this client will send them. */
  digestOf(method: Method, request: object): string {
    const definition = this.Client.service[method];
    if (!definition) throw new Error(`no method ${method} on this service`);
    return requestDigest(definition.requestSerialize(request));
  }

  /** A token for one request, e.g. to sign ahead of a timed run. */
  tokenFor(method: Method, request: object, lifetimeSec?: number): Promise<string> {
    return signAgencyToken(this.agency, this.key, this.audience, this.digestOf(method, request), lifetimeSec);
  }

  async call<T = Record<string, unknown>>(method: Method, request: object, options: CallOptions = {}): Promise<T> {
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${options.token ?? (await this.tokenFor(method, request))}`);
    const fn = this.client[method] as (req: object, md: grpc.Metadata, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r?: T) => void) => void;
    return new Promise((resolve, reject) => {
      fn.call(this.client, request, metadata, { deadline: Date.now() + (options.timeoutMs ?? 10_000) }, (error, response) => (error ? reject(error) : resolve(response!)));
    });
  }

  /**
   * Opens a bidirectional stream whose token covers `first`, the stream's
   * first message (written here); the caller writes the rest and reads replies.
   */
  async openStream<Req extends object, Res>(method: Method, first: Req, options: { timeoutMs?: number; tokenLifetimeSec?: number } = {}): Promise<grpc.ClientDuplexStream<Req, Res>> {
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${await this.tokenFor(method, first, options.tokenLifetimeSec)}`);
    const fn = this.client[method] as (md: grpc.Metadata, opts: grpc.CallOptions) => grpc.ClientDuplexStream<Req, Res>;
    const call = fn.call(this.client, metadata, options.timeoutMs === undefined ? {} : { deadline: Date.now() + options.timeoutMs });
    call.write(first);
    return call;
  }

  close(): void {
    this.client.close();
  }
}
