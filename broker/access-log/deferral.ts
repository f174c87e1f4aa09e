import type { AuditEntry } from '../audit/audit-entry.types.ts';
import type { Agreement } from '../../policies/policy.types.ts';

const DAY_MS = 86_400_000;

/** What a delivery under `agreement` at `at` records about its disclosure to the citizen: nothing, or when it may be shown and why not before. */
export function disclosureOf(agreement: Agreement, at: number): { discloseAfter: number; deferral: string } | undefined {
  const d = agreement.deferDisclosure;
  return d ? { discloseAfter: at + d.days * DAY_MS, deferral: d.citation } : undefined;
}

/** True while the entry is still kept from the citizen's own access log. */
export function isDeferred(entry: Pick<AuditEntry, 'discloseAfter'>, now: number): boolean {
  return entry.discloseAfter !== undefined && entry.discloseAfter > now;
}
