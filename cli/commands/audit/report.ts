import type { Command } from 'commander';
import type { AuditEntry } from '../../../broker/audit/audit-entry.types.ts';
import { auditorClient, auditorOptions, queryAll, type AuditorOptions } from './auditor-client.ts';

interface ReportLine {
  time: string;
  exchangeId: string;
  requestedBy: string;
  provider: string;
  recordType: string;
  purpose: string;
  lawfulBasis: string;
  outcome: string;
  fields: string[];
  /** Times the stored answer was handed out again to a retry of the same request (each its own `replayed` entry), and when. */
  replays: string[];
}

/**
 * PDPA s.30 access report: for one person, every agency that requested or
 * received their data, when, for what purpose and on what lawful basis.
 */
export function registerAuditReport(audit: Command): void {
  auditorOptions(
    audit
      .command('report')
      .description("PDPA s.30 access report: every agency that requested or received a person's data, when, why and on what basis")
      .requiredOption('--subject <citizenId>', 'the person asking')
      .option('--format <format>', 'text or json', 'text'),
  ).action(async (o: AuditorOptions & { subject: string; format: string }) => {
    const client = await auditorClient(o);
    try {
      const entries = await queryAll(client, { subject: o.subject });
      const byExchange = new Map<string, AuditEntry[]>();
      const consents: AuditEntry[] = [];
      for (const { entry } of entries) {
        if (typeof entry.exchangeId === 'string') byExchange.set(entry.exchangeId, [...(byExchange.get(entry.exchangeId) ?? []), entry]);
        else if (entry.kind.startsWith('consent-')) consents.push(entry);
      }
      const lines: ReportLine[] = [...byExchange].map(([exchangeId, es]) => {
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
        };
      });
      if (o.format === 'json') {
        console.log(JSON.stringify({ exchanges: lines, consentEvents: consents }, null, 2));
        return;
      }
      console.log(`PDPA s.30 access report: ${lines.length} requests for this person's data, ${lines.filter((l) => l.outcome === 'delivered').length} delivered\n`);
      for (const l of lines) {
        console.log(`${l.time}  ${l.requestedBy} asked ${l.provider || '-'} for ${l.recordType}, purpose ${l.purpose}, basis ${l.lawfulBasis || '-'}: ${l.outcome}${l.fields.length ? ` [${l.fields.join(', ')}]` : ''}${l.replays.length ? `; handed out again on retry at ${l.replays.join(', ')}` : ''}`);
      }
      for (const c of consents) console.log(`${new Date(c.at).toISOString()}  consent ${c.kind.replace('consent-', '')} for ${c.consumer ?? '-'} by ${c.actor ?? '-'}`);
    } finally {
      client.close();
    }
  });
}
