import type { RequestEnvelope } from '../lib/envelope/envelope.types.ts';
import { signBulkReply, verifyBulkRequest } from '../lib/envelope/bulk/bulk-envelope.ts';
import type { BulkReplyItem, BulkRequestEnvelope } from '../lib/envelope/bulk/bulk.types.ts';
import { fetchOutcome, refused, type Handled, type HandlerDeps } from './handle-request.ts';

/** A reply is one Kafka message: under the broker's default 1 MiB (message.max.bytes) with room for its headers. */
export const MAX_BULK_REPLY_BYTES = 900 * 1024;

/**
 * A batch of requests on the connector: one hub signature checked for the
 * batch, then each item fetched, checked against its schema and projected on
 * its own, exactly as a single request is (`fetchOutcome`), and one signature
 * over the tree of the items' digests for the reply. A batch that cannot be
 * trusted is never answered and never reaches the backend.
 */
export async function handleBulkRequest(deps: HandlerDeps, requestJws: string, now = Date.now()): Promise<Handled> {
  let batch: BulkRequestEnvelope;
  try {
    batch = await verifyBulkRequest(requestJws, deps.policy.keys, deps.agencyId, now);
  } catch (error) {
    return refused(error);
  }
  if (!batch.replyTopic.startsWith(deps.replyTopicPrefix)) {
    return { kind: 'dead-letter', code: 'ERR_ENVELOPE_MALFORMED', message: 'reply topic is not a hub reply topic' };
  }
  if (!deps.replay.firstUse(batch.batchId, batch.exp)) {
    return { kind: 'dead-letter', code: 'ERR_ENVELOPE_REPLAYED', message: `batch ${batch.batchId} was already answered` };
  }
  const items = await Promise.all(
    batch.items.map(async (item): Promise<BulkReplyItem> => {
      const single: RequestEnvelope = {
        v: 1,
        exchangeId: item.exchangeId,
        nodeId: batch.nodeId,
        replyTopic: batch.replyTopic,
        consumer: batch.consumer,
        provider: batch.provider,
        recordType: batch.recordType,
        subject: item.subject,
        purpose: batch.purpose,
        fields: batch.fields,
        clientRequestId: batch.batchId,
        lawfulBasis: batch.lawfulBasis,
        ...(item.consent ? { consent: item.consent } : {}),
        iat: batch.iat,
        exp: batch.exp,
      };
      const fetched = await fetchOutcome(deps, single, now);
      return fetched.outcome === 'delivered'
        ? { exchangeId: item.exchangeId, outcome: 'delivered', fields: fetched.fields, record: fetched.record }
        : { exchangeId: item.exchangeId, outcome: 'error', error: fetched.error };
    }),
  );
  let reply = JSON.stringify(await signBulkReply(batch, requestJws, items, deps.key));
  const bytes = Buffer.byteLength(reply);
  if (bytes > MAX_BULK_REPLY_BYTES) {
    // Too big for one Kafka message: nothing is sent, and every item says why, instead of the batch timing out.
    const error = { code: 'ERR_BATCH_TOO_LARGE' as const, message: `the batch's records are ${Math.round(bytes / 1024)} KB together, over the ${MAX_BULK_REPLY_BYTES / 1024} KB one reply may carry; send these subjects in a job with a smaller batch_size` };
    reply = JSON.stringify(await signBulkReply(batch, requestJws, items.map((i) => ({ exchangeId: i.exchangeId, outcome: 'error', error })), deps.key));
  }
  return { kind: 'reply', topic: batch.replyTopic, jws: reply, exchangeId: batch.batchId };
}
