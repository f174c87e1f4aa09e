import type { AuditEntry } from '../audit/audit-entry.types.ts';

/** True while the entry is still kept from the citizen's own access log (its date is written with it: broker/audit/disclosure.ts). */
export function isDeferred(entry: Pick<AuditEntry, 'discloseAfter'>, now: number): boolean {
  return entry.discloseAfter !== undefined && entry.discloseAfter > now;
}
