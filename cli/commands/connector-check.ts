import type { Command } from 'commander';
import type { ConnectorConfig } from '../../connectors/config.ts';
import { loadConnectorCheckConfig } from '../../connectors/config.ts';
import { checkConnector, type CheckReport } from '../../connectors/check/connector-check.ts';
import { readJsonFile } from './read-json.ts';

export function registerConnectorCheck(connector: Command): void {
  connector
    .command('check')
    .description(
      "fetch one citizen's record from the real backend, without Kafka: print the mapped record, the schema verdict and what each agreement would deliver (exit 0 only when every record is found and valid)",
    )
    .requiredOption(
      '--config <file>',
      'the connector config (its backend and mappings are used; Kafka keys are ignored)',
    )
    .requiredOption('--subject <citizenId>', 'a 13-digit citizen id known to the backend')
    .option(
      '--record-type <id>',
      'check only this record type (default: every record type the agency provides)',
    )
    .option('--timeout <ms>', 'deadline per fetch', '10000')
    .option('--json', 'print the report as JSON')
    .action(
      async (o: {
        config: string;
        subject: string;
        recordType?: string;
        timeout: string;
        json?: boolean;
      }) => {
        const timeoutMs = Number(o.timeout);
        if (!Number.isInteger(timeoutMs) || timeoutMs < 1)
          throw new Error(`--timeout must be a positive integer of milliseconds (got ${o.timeout})`);
        const config = loadConnectorCheckConfig(readJsonFile<ConnectorConfig>(o.config));
        const report = await checkConnector(config, o.subject, o.recordType, timeoutMs);
        process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
        if (!report.ok) process.exitCode = 1;
      },
    );
}

function formatReport(report: CheckReport): string {
  const lines = [`connector check: ${report.agencyId}, ${report.backend} backend`];
  for (const check of report.checks) {
    lines.push('', `${check.recordType} (${check.ms} ms)`);
    if (check.outcome === 'not-found') {
      lines.push('  not found: the backend holds no such record for this citizen');
      continue;
    }
    if (check.outcome === 'error') {
      lines.push(`  error ${check.code}: ${check.message}`);
      continue;
    }
    lines.push(
      '  mapped record:',
      ...JSON.stringify(check.record, null, 2)
        .split('\n')
        .map((l) => `    ${l}`),
    );
    lines.push(`  schema: ${check.schema === 'valid' ? 'valid' : `INVALID at ${check.schema}`}`);
    if (check.deliveries.length === 0) lines.push('  no agreement delivers this record type');
    for (const d of check.deliveries) {
      lines.push(
        `  ${d.agreement} → ${d.consumer} (${d.lawfulBasis}; ${d.purposes.join(', ')}): ${d.fields.join(', ') || 'no fields'}`,
      );
      if (d.missing.length > 0)
        lines.push(`    named by the agreement but absent from this record: ${d.missing.join(', ')}`);
    }
  }
  lines.push('', report.ok ? 'OK: every record found, mapped and valid' : 'NOT OK: see above');
  return `${lines.join('\n')}\n`;
}
