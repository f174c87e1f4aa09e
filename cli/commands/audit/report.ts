import type { Command } from 'commander';
import { s30Report } from '../../../broker/audit/s30-report.ts';
import { auditorClient, auditorOptions, queryAll, type AuditorOptions } from './auditor-client.ts';

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
      const { lines, consentEvents: consents } = s30Report(entries.map((e) => e.entry));
      if (o.format === 'json') {
        console.log(JSON.stringify({ exchanges: lines, consentEvents: consents }, null, 2));
        return;
      }
      console.log(`PDPA s.30 access report: ${lines.length} requests for this person's data, ${lines.filter((l) => l.outcome === 'delivered').length} delivered\n`);
      for (const l of lines) {
        console.log(`${l.time}  ${l.requestedBy} asked ${l.provider || '-'} for ${l.recordType}, purpose ${l.purpose}, basis ${l.lawfulBasis || '-'}: ${l.outcome}${l.fields.length ? ` [${l.fields.join(', ')}]` : ''}${l.replays.length ? `; handed out again on retry at ${l.replays.join(', ')}` : ''}${l.deferred ? `; DEFERRED from the person until ${l.deferred.until} (${l.deferred.citation}): leave it out of their copy until then` : ''}`);
      }
      for (const c of consents) console.log(`${new Date(c.at).toISOString()}  consent ${c.kind.replace('consent-', '')} for ${c.consumer ?? '-'} by ${c.actor ?? '-'}`);
    } finally {
      client.close();
    }
  });
}
