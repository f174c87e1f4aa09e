import type { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { auditorClient, auditorOptions, queryAll, type AuditorOptions } from './auditor-client.ts';
import { AUDIT_KINDS } from '../../../broker/audit/audit-entry.types.ts';

const COLUMNS = ['index', 'time', 'kind', 'exchangeId', 'consumer', 'provider', 'recordType', 'purpose', 'lawfulBasis', 'decision', 'reason', 'fields'] as const;

interface QueryOptions extends AuditorOptions {
  subject?: string;
  agency?: string;
  recordType?: string;
  purpose?: string;
  lawfulBasis?: string;
  decision?: string;
  kind?: string;
  from?: string;
  to?: string;
  format: 'table' | 'csv' | 'json';
  limit: string;
}

export function registerAuditQuery(audit: Command): void {
  auditorOptions(
    audit
      .command('query')
      .description('query the audit log through a node (auditor role): filters combine; output as a table, CSV or JSON')
      .option('--subject <citizenId>', "a person's entries (the node pseudonymises the id)")
      .option('--agency <id>', 'entries where this agency is consumer or provider')
      .option('--record-type <id>')
      .option('--purpose <code>')
      .option('--lawful-basis <basis>')
      .option('--decision <permit|deny>')
      .option('--kind <kind>', AUDIT_KINDS.join(', '))
      .option('--from <time>', 'RFC 3339, inclusive')
      .option('--to <time>', 'RFC 3339, exclusive')
      .option('--format <format>', 'table, csv or json', 'table')
      .option('--limit <n>', 'at most this many entries', '1000'),
  ).action(async (o: QueryOptions) => {
    if (!['table', 'csv', 'json'].includes(o.format)) throw new Error('--format must be table, csv or json');
    const client = await auditorClient(o);
    try {
      const filter = Object.fromEntries(
        Object.entries({ subject: o.subject, agency: o.agency, recordType: o.recordType, purpose: o.purpose, lawfulBasis: o.lawfulBasis, decision: o.decision, kind: o.kind, from: o.from, to: o.to }).filter(([, v]) => v !== undefined),
      ) as Record<string, string>;
      const rows = (await queryAll(client, filter, Number(o.limit))).map(({ index, entry }) => ({
        index,
        time: new Date(entry.at).toISOString(),
        kind: entry.kind,
        exchangeId: entry.exchangeId ?? '',
        consumer: entry.consumer ?? '',
        provider: entry.provider ?? '',
        recordType: entry.recordType ?? '',
        purpose: entry.purpose ?? '',
        lawfulBasis: entry.lawfulBasis ?? '',
        decision: entry.decision ?? '',
        reason: entry.reason ?? '',
        fields: entry.fields?.join(' ') ?? '',
      }));
      if (o.format === 'json') console.log(JSON.stringify(rows, null, 2));
      else if (o.format === 'csv') process.stdout.write(stringify(rows, { header: true, columns: [...COLUMNS] }));
      else console.table(rows.map(({ exchangeId: _e, fields: _f, ...rest }) => rest));
      if (o.format === 'table') console.error(`${rows.length} entries`);
    } finally {
      client.close();
    }
  });
}
