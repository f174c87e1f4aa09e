import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { Presets, SingleBar } from 'cli-progress';
import { parse } from 'csv-parse';
import type { Command } from 'commander';
import { isValidCitizenId } from '../../lib/citizen-id.ts';
import { checkBulkRecord } from '../../lib/envelope/bulk/bulk-envelope.ts';
import { ExchangeClient } from '../../lib/exchange-client.ts';
import type { BulkResultOutput } from '../../lib/proto.ts';
import { loadPolicy } from '../../policies/policy-loader.ts';
import { agencyCallOptions, agencyCredentials, callError, type AgencyCallOptions } from './agency-call.ts';
import { ERROR_CODE_TRAILER } from '../../broker/transport/status-map.ts';
import type { ServiceError } from '@grpc/grpc-js';

const errorCode = (error: unknown) => (error as Partial<ServiceError>).metadata?.get(ERROR_CODE_TRAILER)[0];

interface BulkOptions extends AgencyCallOptions {
  subjects: string;
  out: string;
  recordType: string;
  purpose: string;
  fields?: string;
  jobId?: string;
  batchSize: string;
  policies: string;
  timeout?: string;
}

/** One data row of the subjects file: its number (the item's index) and the person. */
interface Row {
  index: number;
  subject: string;
  consentId: string;
}

export function registerBulk(program: Command): void {
  agencyCallOptions(program.command('bulk'), 'FPO', 'consumer')
    .description('ask for one record type for many people (a bulk job): subjects from a CSV file, results as JSON lines; run again with the same --job-id and --out to resume')
    .requiredOption('--subjects <file.csv>', 'CSV file: a column "subject" (13-digit citizen id) and optionally "consent_id"; without a header row, the first column is the subject')
    .requiredOption('--out <file.jsonl>', 'where results go, one JSON line per subject (appended to on a resume)')
    .requiredOption('--record-type <id>', 'record type id')
    .requiredOption('--purpose <code>', 'purpose code')
    .option('--fields <a,b,c>', 'subset of fields')
    .option('--job-id <id>', 'the job id (idempotency key of the whole job); default a new UUID, printed so the job can be resumed')
    .option('--batch-size <n>', 'subjects per batch (1-1000); a resume must use the same', '256')
    .option('--policies <dir>', "registry folder, for the providers' public keys (every record's proof is checked)", '.xhub/demo/policies')
    .option('--timeout <ms>', 'deadline for the whole job (default none)')
    .action(async (o: BulkOptions) => {
      const rows = await readSubjects(o.subjects);
      const done = answeredIndexes(o.out);
      const todo = rows.filter((r) => !done.has(r.index));
      const jobId = o.jobId ?? randomUUID();
      const policy = await loadPolicy(o.policies);
      const { key, transport } = await agencyCredentials(o);
      const client = new ExchangeClient(o.node, o.as, key, o.audience, transport);
      const out = await open(o.out, 'a');
      const bar = new SingleBar({ format: 'bulk {bar} {percentage}% | {value}/{total} subjects | {delivered} delivered, {failed} failed | {eta_formatted} left', stream: process.stderr, hideCursor: true }, Presets.shades_classic);
      const tally = { delivered: 0, already: 0, failed: 0 };
      const byIndex = new Map(rows.map((r) => [r.index, r]));
      console.error(`job ${jobId}: ${rows.length} subjects, ${done.size} already answered in ${o.out}, ${todo.length} to ask`);
      bar.start(rows.length, done.size, { delivered: 0, failed: 0 });
      try {
        const job = { jobId, recordType: o.recordType, purpose: o.purpose, fields: o.fields ? o.fields.split(',').map((f) => f.trim()) : [], batchSize: Number(o.batchSize) };
        const answered = new Set<number>();
        // A stream reads subjects only while its token is valid: when it ends with
        // ERR_AUTH_EXPIRED, the rest goes on a new stream with a new token (a resume).
        for (let stream = 1; ; stream++) {
          const rest = todo.filter((r) => !answered.has(r.index));
          const before = answered.size;
          try {
            for await (const message of client.requestRecords(job, rest, o.timeout ? { timeoutMs: Number(o.timeout) } : {})) {
              if (message.results) await take(message.results.items);
            }
            break;
          } catch (error) {
            // A stream that answered nothing before its token ran out would only do so again.
            if (errorCode(error) !== 'ERR_AUTH_EXPIRED' || answered.size === before) throw error;
          }
        }
        async function take(results: BulkResultOutput[]) {
          const lines: string[] = [];
          for (const result of results) {
            answered.add(result.index);
            const line = await resultLine(result, byIndex.get(result.index), (provider, kid) => policy.keys.find(provider, kid));
            tally[line.status === 'DELIVERED' ? 'delivered' : line.status === 'ALREADY_DELIVERED' ? 'already' : 'failed']++;
            lines.push(JSON.stringify(line));
          }
          // Written before the progress moves: what the bar counts is on disk.
          await out.appendFile(lines.map((l) => `${l}\n`).join(''));
          bar.increment(lines.length, { delivered: tally.delivered + tally.already, failed: tally.failed });
        }
      } catch (error) {
        bar.stop();
        throw new Error(`job ${jobId} stopped: ${callError(error).message}. Results so far are in ${o.out}; resume with --job-id ${jobId} --out ${o.out}`, { cause: error });
      } finally {
        bar.stop();
        await out.close();
        client.close();
      }
      console.error(`job ${jobId}: ${tally.delivered} delivered, ${tally.already} delivered by an earlier run, ${tally.failed} failed; results in ${o.out}`);
    });
}

/**
 * A result as a line of the output. A delivered record is written only once
 * its proof checks out with the provider's registered key; otherwise the line
 * says it failed and why, and holds no record.
 */
async function resultLine(result: BulkResultOutput, row: Row | undefined, findKey: Parameters<typeof checkBulkRecord>[1]): Promise<Record<string, unknown>> {
  const base = { index: result.index, status: result.status, exchangeId: result.exchangeId };
  if (result.status === 'FAILED') return { ...base, errorCode: result.errorCode, errorMessage: result.errorMessage };
  if (result.status !== 'DELIVERED') return base;
  if (!row) return { ...base, status: 'FAILED', errorCode: 'ERR_INTERNAL', errorMessage: `the node answered index ${result.index}, which is not in the subjects file` };
  const proof = result.proof;
  const failure = proof
    ? await checkBulkRecord({ exchangeId: result.exchangeId, providerId: result.providerId, subject: row.subject, recordJson: result.recordJson, fields: result.fieldsDelivered, proof }, findKey)
    : 'no proof';
  if (failure) return { ...base, status: 'FAILED', errorCode: 'ERR_PROVIDER_SIGNATURE_INVALID', errorMessage: `record not kept: ${failure}` };
  return { ...base, providerId: result.providerId, fields: result.fieldsDelivered, record: JSON.parse(result.recordJson) as unknown, proof };
}

/** Rows of the subjects file, numbered from 0 in file order; a row that is not a citizen id is refused by line. */
async function readSubjects(file: string): Promise<Row[]> {
  const rows: Row[] = [];
  const records = createReadStream(file).pipe(parse({ bom: true, trim: true, skip_empty_lines: true, relax_column_count: true }));
  let columns: { subject: number; consent: number } | undefined;
  let line = 0;
  for await (const record of records as AsyncIterable<string[]>) {
    line++;
    if (line === 1 && !isValidCitizenId(record[0] ?? '')) {
      const subject = record.indexOf('subject');
      if (subject < 0) throw new Error(`${file}: the header row has no "subject" column (and its first cell is not a citizen id)`);
      columns = { subject, consent: record.indexOf('consent_id') };
      continue;
    }
    const subject = record[columns?.subject ?? 0] ?? '';
    if (!isValidCitizenId(subject)) throw new Error(`${file} line ${line}: not a valid 13-digit citizen id (check digit)`);
    rows.push({ index: rows.length, subject, consentId: columns && columns.consent >= 0 ? (record[columns.consent] ?? '') : '' });
  }
  if (rows.length === 0) throw new Error(`${file}: no subjects`);
  return rows;
}

/** Indexes already answered in an earlier run's output, so a resume asks only for the rest. */
function answeredIndexes(out: string): Set<number> {
  const done = new Set<number>();
  if (!existsSync(out)) return done;
  readFileSync(out, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (text.trim() === '') return;
      let index: unknown;
      let errorCode: unknown;
      try {
        ({ index, errorCode } = JSON.parse(text) as { index: unknown; errorCode: unknown });
      } catch {
        throw new Error(`${out} line ${i + 1}: not a JSON line; the file is not the output of an earlier run of this job`);
      }
      if (!Number.isInteger(index)) throw new Error(`${out} line ${i + 1}: no index`);
      // Still being answered at the time: asked again (a batch that ran is answered from its outcome, never re-fetched).
      if (errorCode !== 'ERR_IDEMPOTENCY_IN_PROGRESS') done.add(index as number);
    });
  return done;
}
