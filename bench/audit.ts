/**
 * Audit figures over a large log:
 * - `verify` throughput: --entries synthetic audit entries (shaped like the
 *   node's, 3 per exchange, 1,000 people) written to the audit topic, signed
 *   checkpoints from the node's sequencer, then the whole log read back and
 *   verified (RFC 9162 tree recomputed, every checkpoint checked);
 * - query latency through the Audit service (SQLite index) on that log.
 * Usage: node bench/audit.ts [--entries 100000]
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { readAuditLog } from '../broker/audit/audit-source.ts';
import type { CheckpointMessage } from '../broker/audit/checkpoint-message.ts';
import { verifyLog } from '../broker/audit/verify-log.ts';
import { hubVerifier } from '../cli/commands/audit/verify.ts';
import { AuditClient } from '../lib/audit-client.ts';
import { RECORD_DOMAINS, RecordSigner } from '../lib/crypto/record-signature.ts';
import { loadSigningKeyFile } from '../lib/crypto/keys.ts';
import { Pseudonymiser } from '../lib/crypto/pseudonym.ts';
import { withCheckDigit } from '../lib/citizen-id.ts';
import { createKafka } from '../lib/kafka/client.ts';
import { KAFKA_AUDIT_READER, nodePrincipal } from '../lib/kafka/principals.ts';
import { loadPolicy, nodeKeyLookup } from '../policies/policy-loader.ts';
import { createLogger } from '../lib/log.ts';
import { machine, percentiles, startBenchHub, writeResult } from './bench-hub.ts';

const { values } = parseArgs({ options: { entries: { type: 'string', default: '100000' } } });
const total = Number(values.entries);
const hub = await startBenchHub();
const node = await hub.node('node-1');
const prefix = node.config.topicPrefix;
const pseudonyms = await Pseudonymiser.fromFile(hub.demo.pseudonymKeyFile);
const people = Array.from({ length: 1000 }, (_, i) => withCheckDigit(`1${String(i).padStart(11, '0')}`));
const consumers = ['FPO', 'RD', 'MOPH', 'BMA'];

// Write the entries as the node's writer would: signed by node-1, canonical JSON, batched, acks=all.
const signer = new RecordSigner('node-1', await loadSigningKeyFile(hub.demo.nodeKeyFile('node-1')));
const sign = (body: object) => signer.sign(RECORD_DOMAINS.auditEntry, body);
const kafka = createKafka(hub.kafka.connection(nodePrincipal('node-1')), 'bench-audit', createLogger('bench', 'warn'));
const reader = createKafka(hub.kafka.connection(KAFKA_AUDIT_READER), 'bench-audit-reader', createLogger('bench', 'warn'));
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
await producer.connect();
const t0 = performance.now();
for (let i = 0; i < total; i += 1500) {
  const messages = [];
  for (let j = i; j < Math.min(i + 1500, total); j += 3) {
    const exchangeId = randomUUID();
    const common = { v: 1 as const, at: Date.now(), exchangeId, consumer: consumers[j % 4], recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY', subjectRef: pseudonyms.of(people[(j / 3) % 1000]!) };
    messages.push(
      { value: sign({ ...common, id: randomUUID(), kind: 'request-received' }) },
      { value: sign({ ...common, id: randomUUID(), kind: 'decision', decision: 'permit', provider: 'DOPA', lawfulBasis: 'public-task', reason: 'PERMIT_LAWFUL_BASIS', rule: 's24-lawful-basis', source: 'agreements.json#/agreements/0' }) },
      { value: sign({ ...common, id: randomUUID(), kind: 'delivered', provider: 'DOPA', fields: ['firstNameTh', 'lifeStatus'], payloadDigest: 'x'.repeat(43), signatureDigest: 'y'.repeat(43), providerKeyId: 'DOPA-1' }) },
    );
  }
  await producer.send({ topic: `${prefix}audit`, acks: -1, messages: messages.slice(0, total - i) });
  process.stderr.write(`\rwritten ${Math.min(i + 1500, total)}/${total} entries`);
}
await producer.disconnect();
const writeMs = performance.now() - t0;
process.stderr.write('\n');

// Wait for the sequencer to sign a checkpoint covering the whole log.
let log = await readAuditLog(reader, prefix);
for (;;) {
  const last = log.checkpoints.at(-1);
  const message = last && (JSON.parse(last.toString()) as CheckpointMessage);
  if (message && message.from + message.leaves.length >= total) break;
  await new Promise((r) => setTimeout(r, 500));
  log = await readAuditLog(reader, prefix);
}

const r0 = performance.now();
log = await readAuditLog(reader, prefix, (read, all) => process.stderr.write(`\rread ${read}/${all}`));
const readMs = performance.now() - r0;
process.stderr.write('\n');
const verifier = await hubVerifier(hub.demo.policiesDir, node.config.auditOrigin);
const v0 = performance.now();
const entryKeys = nodeKeyLookup(await loadPolicy(hub.demo.policiesDir));
const report = verifyLog(log.entries, log.checkpoints, verifier, node.config.auditOrigin, entryKeys);
const verifyMs = performance.now() - v0;
if (!report.ok) throw new Error(`verify failed: ${report.failure?.reason}`);

// Query latency, once the node's index holds every entry.
const pdpc = new AuditClient(`127.0.0.1:${node.port}`, 'PDPC', await loadSigningKeyFile(hub.demo.agencyKeyFile('PDPC')), 'node-1', await hub.transport('PDPC'));
for (;;) {
  const page = await pdpc.call<{ entries: { index: string }[] }>('Query', { pageSize: 1, pageToken: Buffer.from(String(total - 2)).toString('base64url') });
  if (page.entries.length > 0) break;
  await new Promise((r) => setTimeout(r, 500));
}
const timed = async (request: object) => {
  const samples: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    await pdpc.call('Query', typeof request === 'function' ? (request as (i: number) => object)(i) : request);
    samples.push(performance.now() - t);
  }
  return percentiles(samples.slice(20));
};
const bySubject = await timed((i: number) => ({ subject: people[i % 1000] }));
const byAgencyPage = await timed({ agency: 'RD', kind: 'delivered', pageSize: 100 });
const byTime = await timed({ from: new Date(Date.now() - 3_600_000).toISOString(), kind: 'decision', pageSize: 100 });
pdpc.close();

await writeResult('audit', {
  benchmark: 'audit',
  date: new Date().toISOString(),
  machine: machine(),
  kafka: hub.kafka.source,
  entries: log.entries.length,
  checkpoints: log.checkpoints.length,
  writeEntriesPerSecond: Math.round((total / writeMs) * 1000),
  readFromKafkaSeconds: Math.round(readMs) / 1000,
  verifySeconds: Math.round(verifyMs) / 1000,
  verifyEntriesPerSecond: Math.round((log.entries.length / verifyMs) * 1000),
  readAndVerifyEntriesPerSecond: Math.round((log.entries.length / (readMs + verifyMs)) * 1000),
  queryMs: { bySubject, byAgencyPage100: byAgencyPage, byTimeRangePage100: byTime },
});
await hub.close();
