import { HubError } from '../../lib/errors/hub-error.ts';
import { clip } from '../../lib/input.ts';
import type { BulkJob } from '../../lib/proto.ts';
import type { Policy } from '../../policies/policy.types.ts';
import { MAX_BATCH_ITEMS } from '../../lib/envelope/bulk/bulk.types.ts';
import { validateRequest } from '../exchange/validate-request.ts';
import type { BulkJobSpec } from './bulk.types.ts';

export const DEFAULT_BATCH_SIZE = 256;
/** A valid citizen id, only to let the shared request check look at everything else. */
const PLACEHOLDER_SUBJECT = '1101700203450';

/** Checks the job message of a bulk stream with the rules of a single request (record type, purpose, fields, id). */
export function checkJob(job: BulkJob, policy: Policy): BulkJobSpec {
  if (job.jobId.length < 1 || job.jobId.length > 128) throw new HubError('ERR_INVALID_ARGUMENT', 'job_id is required: 1 to 128 characters chosen by the caller');
  validateRequest({ subject: PLACEHOLDER_SUBJECT, recordType: job.recordType, purpose: job.purpose, fields: job.fields, clientRequestId: job.jobId, consentId: '' }, policy);
  const batchSize = job.batchSize === 0 ? DEFAULT_BATCH_SIZE : job.batchSize;
  if (batchSize > MAX_BATCH_ITEMS) throw new HubError('ERR_INVALID_ARGUMENT', `batch_size: at most ${MAX_BATCH_ITEMS} (got ${clip(String(job.batchSize))})`);
  return { jobId: job.jobId, recordType: job.recordType, purpose: job.purpose, fields: job.fields, batchSize };
}
