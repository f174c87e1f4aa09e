import type { Command } from 'commander';
import { AccessLogClient } from '../../lib/access-log-client.ts';
import type { ListForCitizenResponse__Output } from '../../lib/proto-types/xhub/access/v1/ListForCitizenResponse.ts';
import type { AccessEntry__Output } from '../../lib/proto-types/xhub/access/v1/AccessEntry.ts';
import { agencyCallOptions, agencyCredentials, callError, type AgencyCallOptions } from './agency-call.ts';

interface AccessLogOptions extends AgencyCallOptions {
  subject: string;
  from?: string;
  to?: string;
  json?: boolean;
}

/** `xhub access-log`: a person's own access log, as a citizen app's backend (the consent manager) reads it. */
export function registerAccessLog(program: Command): void {
  agencyCallOptions(
    program
      .command('access-log')
      .description("a person's own access log: who received which of their records, when, why and on what lawful basis (consent-manager role; the call is itself audited)")
      .requiredOption('--subject <citizenId>', 'the person: 13-digit citizen id')
      .option('--from <time>', 'RFC 3339, inclusive')
      .option('--to <time>', 'RFC 3339, exclusive')
      .option('--json', 'print the entries as JSON'),
    'DGA',
    'consent-manager',
  ).action(async (o: AccessLogOptions) => {
    const { key, transport } = await agencyCredentials(o);
    const client = new AccessLogClient(o.node, o.as, key, o.audience, transport);
    const entries: AccessEntry__Output[] = [];
    try {
      let pageToken = '';
      do {
        const page = await client.call<ListForCitizenResponse__Output>('ListForCitizen', { subject: o.subject, from: o.from ?? '', to: o.to ?? '', pageSize: 500, pageToken });
        entries.push(...page.entries);
        pageToken = page.nextPageToken;
      } while (pageToken);
    } catch (error) {
      throw callError(error);
    } finally {
      client.close();
    }
    if (o.json) {
      console.log(JSON.stringify(entries, null, 2));
      return;
    }
    for (const e of entries) {
      const basis = e.lawfulBasis === 'consent' ? `consent ${e.consentId}` : `${e.lawfulBasis} (${e.statute})`;
      console.log(`${e.at}  ${e.consumerName || e.consumer} received ${e.recordTypeTitle || e.recordType} from ${e.providerName || e.provider} for ${e.purposeTitle || e.purpose}; ${basis}${e.kind === 'replayed' ? '; handed out again to a retry' : ''}`);
    }
    console.error(`${entries.length} disclosures`);
  });
}
