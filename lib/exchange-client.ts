import type { ClientTransport } from './client-transport.ts';
import type { SigningKey } from './crypto/keys.ts';
import { once } from 'node:events';
import { exchangeService, type BulkJob, type BulkRequest, type BulkResponseOutput, type BulkSubject, type RequestRecordRequest, type RequestRecordResponse } from './proto.ts';
import { ServiceClient, type CallOptions } from './service-client.ts';

/** One subject of a bulk job; consent_id only where the agreement rests on consent. */
export type BulkSubjectIn = Omit<BulkSubject, 'consentId'> & { consentId?: string };

export type ExchangeCall = Partial<RequestRecordRequest> & Pick<RequestRecordRequest, 'clientRequestId'>;

/** A small client for agency systems: signs a fresh token for every call. */
export class ExchangeClient extends ServiceClient<'RequestRecord' | 'RequestRecords'> {
  constructor(address: string, agency: string, key: SigningKey, audience: string, transport: ClientTransport = {}) {
    super(exchangeService().Client, address, agency, key, audience, transport);
  }

  requestRecord(request: ExchangeCall, options: CallOptions = {}): Promise<RequestRecordResponse> {
    return this.call<RequestRecordResponse>('RequestRecord', exchangeMessage(request), options);
  }

  /**
   * A bulk job (Exchange.RequestRecords): sends the job, then `subjects` in
   * messages of up to `chunk` items (waiting when the stream is full), and
   * yields the node's messages (results and progress) as they come. Throws the
   * stream's error, if it ends in one. Iterating to the end is what ends the job.
   */
  async *requestRecords(job: Partial<BulkJob> & Pick<BulkJob, 'jobId' | 'recordType' | 'purpose'>, subjects: Iterable<BulkSubjectIn> | AsyncIterable<BulkSubjectIn>, options: { timeoutMs?: number; chunk?: number } = {}): AsyncGenerator<BulkResponseOutput> {
    const first: BulkRequest = { message: 'job', job: { fields: [], batchSize: 0, ...job } };
    const call = await this.openStream<BulkRequest, BulkResponseOutput>('RequestRecords', first, options);
    const chunk = options.chunk ?? 500;
    const send = async () => {
      let items: BulkSubject[] = [];
      const push = async () => {
        if (items.length === 0) return;
        const ok = call.write({ message: 'subjects', subjects: { items } });
        items = [];
        if (!ok) await once(call, 'drain');
      };
      for await (const subject of subjects) {
        items.push({ consentId: '', ...subject });
        if (items.length >= chunk) await push();
      }
      await push();
      call.end();
    };
    const sending = send().catch((error: unknown) => call.cancel() ?? error);
    try {
      for await (const message of call as AsyncIterable<BulkResponseOutput>) yield message;
    } finally {
      call.cancel();
      await sending;
    }
  }
}

/** The full request message for a call: what its bytes, and so its token's req_sha256, are computed from. */
export function exchangeMessage(request: ExchangeCall): RequestRecordRequest {
  return { subject: '', recordType: '', purpose: '', fields: [], consentId: '', ...request };
}
