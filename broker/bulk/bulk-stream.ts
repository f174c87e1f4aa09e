import type * as grpc from '@grpc/grpc-js';
import pLimit from 'p-limit';
import { HubError, toHubError } from '../../lib/errors/hub-error.ts';
import type { BulkRequest, BulkResponse } from '../../lib/proto.ts';
import { authenticate } from '../auth/authenticate.ts';
import { ClaimedTokens } from '../claims/token-replay.ts';
import type { ExchangeDeps } from '../exchange/request-record.ts';
import { callContext, type UnaryEdge } from '../transport/unary.ts';
import { toServiceError } from '../transport/status-map.ts';
import { checkJob } from './bulk-job.ts';
import type { BulkCaller, BulkItem, BulkJobSpec, BulkResult } from './bulk.types.ts';
import { runBatch } from './claimed-batch.ts';

/** Batches of one stream in flight at once: enough to keep the provider busy, few enough to bound memory. */
const MAX_BATCHES_IN_FLIGHT = 4;
/**
 * Batches in flight on one node, all streams together: each batch queues
 * about three audit entries per item on the node's one producer, whose queue
 * is bounded (20,000 messages, then ERR_OVERLOADED). Eight batches of the
 * largest size stay well inside it, so bulk jobs wait here instead of failing
 * on the audit log.
 */
const MAX_NODE_BATCHES = 8;
/** Subjects in one BulkSubjects message. */
const MAX_ITEMS_PER_MESSAGE = 1000;

/**
 * Exchange.RequestRecords: a bulk job over one stream. The first message is
 * the job, authenticated like a single request (its token covers the job
 * message's bytes and is claimed once); subjects follow and are gathered into
 * batches by index; each batch runs once for the deployment (claimed-batch.ts)
 * and its results stream back as soon as it ends. The stream is paused while
 * too many batches are in flight, so a fast caller cannot fill the node's memory.
 */
export function bulkStream(deps: ExchangeDeps, edge: UnaryEdge): grpc.handleBidiStreamingCall<BulkRequest, BulkResponse> {
  const nodeSlots = pLimit(MAX_NODE_BATCHES);
  return (call) => {
    const started = performance.now();
    let job: BulkJobSpec | undefined;
    let caller: BulkCaller | undefined;
    let ctx: ReturnType<typeof callContext> | undefined;
    let current: { batchNo: number; items: BulkItem[] } | undefined;
    let lastIndex = -1;
    /** The last index of a batch this stream began: everything up to it is answered. */
    let lastAnswerable = -1;
    let inFlight = 0;
    let inputEnded = false;
    let expiresAt = 0;
    let expired = false;
    let closed = false;
    const counts = { received: 0, answered: 0, delivered: 0, failed: 0 };
    const running = new Set<Promise<void>>();

    const fail = (error: unknown) => {
      if (closed) return;
      closed = true;
      const e = toHubError(error);
      if (e.code === 'ERR_INTERNAL') edge.log.error({ err: e }, 'internal error in a bulk stream');
      if (ctx) void edge.security.record(e, ctx);
      if (ctx) edge.observe?.({ ctx, code: e.code, seconds: (performance.now() - started) / 1000 });
      call.emit('error', toServiceError(e));
    };
    const write = (message: BulkResponse) => {
      if (!closed && !call.cancelled) call.write(message);
    };
    const finishIfDone = () => {
      if (closed || !inputEnded || inFlight > 0) return;
      write({ progress: counts });
      if (expired) return fail(new HubError('ERR_AUTH_EXPIRED', `the job's token expired: this stream answered its subjects up to index ${lastAnswerable} and asks for no more; resume the job with the same job_id on a new stream (with a new token) for the rest`));
      closed = true;
      if (ctx) edge.observe?.({ ctx, code: 'OK', seconds: (performance.now() - started) / 1000 });
      call.end();
    };
    const flush = () => {
      if (!current || !job || !caller) return;
      const { batchNo, items } = current;
      current = undefined;
      lastAnswerable = items.at(-1)!.index;
      inFlight++;
      if (inFlight >= MAX_BATCHES_IN_FLIGHT) call.pause();
      // The batch's deadline counts from when it starts, not from when it queued for a slot.
      const run = nodeSlots(() => runBatch(deps, job!, caller!, batchNo, items, Date.now() + deps.timeouts.maxMs))
        .then((results: BulkResult[]) => {
          for (const r of results) {
            counts.answered++;
            if (r.status === 'FAILED') counts.failed++;
            else counts.delivered++;
          }
          for (const chunk of chunks(results)) write({ results: { items: chunk } });
          write({ progress: counts });
        })
        .catch(fail)
        .finally(() => {
          inFlight--;
          running.delete(run);
          if (inFlight < MAX_BATCHES_IN_FLIGHT && !closed) call.resume();
          finishIfDone();
        });
      running.add(run);
    };

    const open = async (request: BulkRequest) => {
      if (request.message !== 'job' || !request.job) throw new HubError('ERR_INVALID_ARGUMENT', 'the first message of RequestRecords must be the job');
      ctx = callContext(call, request);
      const policy = deps.policy();
      const authed = await authenticate(ctx, policy, new ClaimedTokens(deps.claimed.claims), deps.auth);
      job = checkJob(request.job, policy);
      caller = { agency: authed.agency, tokenDigest: authed.tokenDigest };
      expiresAt = authed.expiresAt;
    };
    const take = (request: BulkRequest) => {
      if (request.message !== 'subjects' || !request.subjects) throw new HubError('ERR_INVALID_ARGUMENT', 'after the job, RequestRecords takes only subjects');
      // The token authorises the stream until it expires, not for ever: after that no more subjects
      // are read; the batches begun are answered, and the stream ends with ERR_AUTH_EXPIRED.
      if (Date.now() >= expiresAt) {
        expired = true;
        inputEnded = true;
        current = undefined;
        call.pause();
        finishIfDone();
        return;
      }
      const items = request.subjects.items;
      if (items.length > MAX_ITEMS_PER_MESSAGE) throw new HubError('ERR_INVALID_ARGUMENT', `subjects: at most ${MAX_ITEMS_PER_MESSAGE} items per message`);
      for (const item of items) {
        if (item.index <= lastIndex) throw new HubError('ERR_INVALID_ARGUMENT', `subjects: index ${item.index} follows ${lastIndex}; indexes must increase`);
        lastIndex = item.index;
        counts.received++;
        const batchNo = Math.floor(item.index / job!.batchSize);
        if (current && current.batchNo !== batchNo) flush();
        current ??= { batchNo, items: [] };
        current.items.push({ index: item.index, subject: item.subject, consentId: item.consentId });
        if (current.items.length === job!.batchSize) flush();
      }
    };

    // Messages are handled one at a time, in order: the job must be authenticated before any subject is read.
    let queue = Promise.resolve();
    call.on('data', (request: BulkRequest) => {
      queue = queue.then(async () => {
        if (closed || expired) return;
        try {
          if (!job) await open(request);
          else take(request);
        } catch (error) {
          fail(error);
        }
      });
    });
    call.on('end', () => {
      queue = queue.then(() => {
        if (closed || expired) return;
        if (!job) return fail(new HubError('ERR_INVALID_ARGUMENT', 'RequestRecords ended before its job message'));
        inputEnded = true;
        flush();
        finishIfDone();
      });
    });
    // A caller that goes away stops new batches; batches under way still finish and record their outcome.
    call.on('cancelled', () => {
      closed = true;
      current = undefined;
    });
    call.on('error', () => {
      closed = true;
    });
  };
}

/** A gRPC client takes 4 MiB per message by default: results go in messages of about 1 MB of records at most. */
const MAX_RESULT_BYTES = 1024 * 1024;

function chunks(results: BulkResult[]): BulkResult[][] {
  const out: BulkResult[][] = [[]];
  let bytes = 0;
  for (const r of results) {
    const size = (r.recordJson?.length ?? 0) * 3 + 1024;
    if (bytes + size > MAX_RESULT_BYTES && out.at(-1)!.length > 0) {
      out.push([]);
      bytes = 0;
    }
    out.at(-1)!.push(r);
    bytes += size;
  }
  return out;
}
