/**
 * The audit query index on its own (no Kafka): how fast it takes entries in
 * and answers queries, on a file like an audit node's. Measures the SQLite
 * binding the index uses.
 * Usage: node bench/audit-index.ts [--entries 100000]
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { AuditEntry } from '../broker/audit/audit-entry.types.ts';
import { AuditIndex } from '../broker/audit/audit-index.ts';
import { machine, percentiles, writeResult } from './bench-hub.ts';

const { values } = parseArgs({ options: { entries: { type: 'string', default: '100000' } } });
const total = Number(values.entries);
const dir = await mkdtemp(join(tmpdir(), 'xhub-index-bench-'));
const index = new AuditIndex(join(dir, 'index.sqlite'));
const people = Array.from({ length: 1000 }, (_, i) => `person-${String(i).padStart(36, '0')}`.slice(0, 43));
const consumers = ['FPO', 'RD', 'MOPH', 'BMA'];
const entry = (i: number): AuditEntry => ({
  v: 1, id: randomUUID(), kind: (['request-received', 'decision', 'delivered'] as const)[i % 3]!, at: 1_790_000_000_000 + i, nodeId: 'node-1', kid: 'k', sig: 's'.repeat(86),
  exchangeId: randomUUID(), consumer: consumers[i % 4], provider: 'DOPA', recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY', subjectRef: people[i % 1000],
});
const t0 = performance.now();
for (let i = 0; i < total; i += 500) {
  const batch = Array.from({ length: Math.min(500, total - i) }, (_, j) => {
    const e = entry(i + j);
    return { raw: Buffer.from(JSON.stringify(e)), entry: e };
  });
  index.add(i, batch, i + batch.length);
}
const addSeconds = (performance.now() - t0) / 1000;
const timed = (fn: () => unknown) => {
  const samples: number[] = [];
  for (let k = 0; k < 200; k++) {
    const s = performance.now();
    fn();
    samples.push(performance.now() - s);
  }
  return percentiles(samples);
};
const result = {
  benchmark: 'audit-index',
  date: new Date().toISOString(),
  machine: machine(),
  entries: total,
  addEntriesPerSecond: Math.round(total / addSeconds),
  queryMs: {
    bySubject: timed(() => index.query({ subjectRef: people[Math.floor(Math.random() * 1000)] }, -1, 100)),
    byAgencyPage100: timed(() => index.query({ agency: 'FPO' }, Math.floor(Math.random() * total), 100)),
    // From stored subtree hashes: O(log² n) reads, whatever the log's size.
    inclusionProofOfWholeLog: timed(() => index.inclusionProof(Math.floor(Math.random() * total), total)),
    consistencyProof: timed(() => index.consistencyProof(1 + Math.floor(Math.random() * (total - 1)), total)),
  },
};
index.close();
await rm(dir, { recursive: true, force: true });
await writeResult('audit-index', result);
