import type { AuditEntry } from './audit-entry.types.ts';

/** One request for a person's data, as the PDPA s.30 access report lists it. */
export interface ReportLine {
  time: string;
  exchangeId: string;
  requestedBy: string;
  provider: string;
  recordType: string;
  purpose: string;
  lawfulBasis: string;
  outcome: string;
  fields: string[];
  /** Times the stored answer was handed out again to a retry of the same request (each its own `replayed` entry). */
  replays: string[];
  /** Where the agreement defers disclosure to the person (an investigation): until when, and the citation. A copy for the person must leave such lines out until then. */
  deferred?: { until: string; citation: string };
}

/**
 * PDPA s.30 access report from one person's audit entries (log order): every
 * agency that requested or received their data, when, for what purpose and on
 * what lawful basis, with the outcome; and their consent events. Used by
 * `xhub audit report` and the DPO console alike.
 */
export function s30Report(entries: readonly AuditEntry[]): { lines: ReportLine[]; consentEvents: AuditEntry[] } {
  const byExchange = new Map<string, AuditEntry[]>();
  const consentEvents: AuditEntry[] = [];
  for (const entry of entries) {
    if (typeof entry.exchangeId === 'string') byExchange.set(entry.exchangeId, [...(byExchange.get(entry.exchangeId) ?? []), entry]);
    else if (entry.kind.startsWith('consent-')) consentEvents.push(entry);
  }
  const lines = [...byExchange].map(([exchangeId, es]) => {
    const first = es[0]!;
    const decision = es.find((e) => e.kind === 'decision');
    const end = es.find((e) => ['delivered', 'failed', 'timed-out'].includes(e.kind));
    const outcome = end?.kind === 'delivered' ? 'delivered' : decision?.decision === 'deny' ? `refused (${decision.reason ?? ''})` : end ? `${end.kind} (${end.reason ?? ''})` : 'pending';
    return {
      time: new Date(first.at).toISOString(),
      exchangeId,
      requestedBy: first.consumer ?? '',
      provider: decision?.provider ?? end?.provider ?? '',
      recordType: first.recordType ?? '',
      purpose: first.purpose ?? '',
      lawfulBasis: decision?.lawfulBasis ?? '',
      outcome,
      fields: end?.kind === 'delivered' ? (end.fields ?? []) : [],
      replays: es.filter((e) => e.kind === 'replayed').map((e) => new Date(e.at).toISOString()),
      ...deferralOf(es),
    };
  });
  return { lines, consentEvents };
}

function deferralOf(es: AuditEntry[]): { deferred?: { until: string; citation: string } } {
  const latest = Math.max(...es.map((e) => e.discloseAfter ?? -Infinity));
  if (!Number.isFinite(latest)) return {};
  return { deferred: { until: new Date(latest).toISOString(), citation: es.find((e) => e.deferral)?.deferral ?? '' } };
}
