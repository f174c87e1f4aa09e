import { Gauge, type Registry } from 'prom-client';
import type { AuditEntry } from './audit-entry.types.ts';
import type { AuditIndex } from './audit-index.ts';

/**
 * How far the signed checkpoints trail the audit log, from this node's query
 * index, read at each scrape. Entries past the newest checkpoint are not yet
 * provable to an auditor; if they wait long, no sequencer is signing.
 */
export function auditIndexMetrics(registry: Registry, index: AuditIndex): void {
  new Gauge({
    name: 'xhub_audit_unsigned_entries',
    help: 'Audit entries indexed by this node that no signed checkpoint covers yet (the unsigned tail)',
    registers: [registry],
    collect() {
      this.set(Math.max(0, index.nextIndex() - (index.latestCheckpoint()?.size ?? 0)));
    },
  });
  new Gauge({
    name: 'xhub_audit_checkpoint_age_seconds',
    help: 'How long the oldest audit entry not covered by a signed checkpoint has waited (0 when the newest checkpoint covers every indexed entry)',
    registers: [registry],
    collect() {
      this.set(oldestUnsignedAgeSeconds(index));
    },
  });
}

/**
 * The signed time of the first entry after the newest checkpoint, as an age.
 * Measured from the entries rather than from when a checkpoint last came: the
 * sequencer signs only while entries arrive, so an idle log is not overdue.
 */
function oldestUnsignedAgeSeconds(index: AuditIndex): number {
  const signed = index.latestCheckpoint()?.size ?? 0;
  if (index.nextIndex() <= signed) return 0;
  // query() answers signed hub facts only, from index `signed` on; an unverified entry has no time to trust.
  const [first] = index.query({}, signed - 1, 1);
  if (!first) return 0;
  const { at } = JSON.parse(first.raw.toString()) as AuditEntry;
  return Math.max(0, (Date.now() - at) / 1000);
}
