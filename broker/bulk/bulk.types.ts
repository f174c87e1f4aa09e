import type { BulkResult } from '../../lib/proto.ts';

/** A job as the caller opened it, checked (bulk-job.ts). */
export interface BulkJobSpec {
  jobId: string;
  recordType: string;
  purpose: string;
  fields: string[];
  batchSize: number;
}

/** One subject of a job, as the caller numbered it. */
export interface BulkItem {
  index: number;
  subject: string;
  consentId: string;
}

/** The authenticated caller of a job stream. */
export interface BulkCaller {
  agency: string;
  /** SHA-256 of the job's token: on every item's audit entries, as for a single exchange. */
  tokenDigest: string;
}

/** What a batch's claim keeps for a resume: per index, a keyed digest of the item and how it ended. */
export interface BatchOutcome {
  items: Record<string, { digest: string; exchangeId?: string; code?: string; message?: string }>;
}

export type { BulkResult };
