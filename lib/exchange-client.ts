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
   * The node reads subjects only while the stream's token is valid; past it the
   * stream ends with ERR_AUTH_EXPIRED after answering what it began: resume the
   * job (same job id) with the subjects not yet answered.
   */
  async *requestRecords(job: Partial<BulkJob> & Pick<BulkJob, 'jobId' | 'recordType' | 'purpose'>, subjects: Iterable<BulkSubjectIn> | AsyncIterable<BulkSubjectIn>, options: { timeoutMs?: number; chunk?: number; tokenLifetimeSec?: number } = {}): AsyncGenerator<BulkResponseOutput> {
    const first: BulkRequest = { message: 'job', job: { fields: [], batchSize: 0, ...job } };
    const call = await this.openStream<BulkRequest, BulkResponseOutput>('RequestRecords', first, options);
    const chunk = options.chunk ?? 500;
    const send = async () => {
      let items: BulkSubject[] = [];
      let timer: NodeJS.Timeout | undefined;
      const push = async () => {
        clearTimeout(timer);
        if (items.length === 0) return;
        const ok = call.write({ message: 'subjects', subjects: { items } });
        items = [];
        if (!ok) await once(call, 'drain');
      };
      for await (const subject of subjects) {
        items.push({ consentId: '', ...subject });
        if (items.length >= chunk) await push();
        // A source that pauses (a slow file, a queue) must not hold back what it gave: send it shortly.
        else if (items.length === 1) timer = setTimeout(() => void push().catch(() => call.cancel()), 5);
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
