import type { Command } from 'commander';
import type { QueryResponse__Output } from '../../../lib/proto-types/xhub/audit/v1/QueryResponse.ts';
import { AuditClient } from '../../../lib/audit-client.ts';
import type { AuditEntry } from '../../../broker/audit/audit-entry.types.ts';
import { agencyCallOptions, agencyCredentials, type AgencyCallOptions } from '../agency-call.ts';

export type AuditorOptions = AgencyCallOptions;

/** Options every command that calls the Audit service takes: who the auditor is and which node. */
export function auditorOptions(command: Command): Command {
  return agencyCallOptions(command, 'PDPC', 'auditor');
}

export async function auditorClient(o: AuditorOptions): Promise<AuditClient> {
  const { key, transport } = await agencyCredentials(o);
  return new AuditClient(o.node, o.as, key, o.audience, transport);
}


/** Every page of a query, up to `limit` entries. */
export async function queryAll(client: AuditClient, filter: Record<string, string>, limit = Infinity): Promise<{ index: number; entry: AuditEntry }[]> {
  const out: { index: number; entry: AuditEntry }[] = [];
  let pageToken = '';
  do {
    const page = await client.call<QueryResponse__Output>('Query', { ...filter, pageSize: Math.min(1000, limit - out.length), pageToken });
    for (const e of page.entries) out.push({ index: Number(e.index), entry: JSON.parse(e.entryJson) as AuditEntry });
    pageToken = page.nextPageToken;
  } while (pageToken && out.length < limit);
  return out.slice(0, limit);
}
