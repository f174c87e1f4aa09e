import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { AuditClient } from '../../../lib/audit-client.ts';
import { loadSigningKeyFile } from '../../../lib/crypto/keys.ts';
import type { AuditEntry } from '../../../broker/audit/audit-entry.types.ts';
import { clientTransportOf, type TlsOptions } from '../tls-options.ts';

export interface AuditorOptions extends TlsOptions {
  as: string;
  key?: string;
  node: string;
  audience: string;
}

/** Options every command that calls the Audit service takes: who the auditor is and which node. */
export function auditorOptions(command: Command): Command {
  return command
    .option('--as <agency>', 'auditor agency id', 'PDPC')
    .option('--key <file>', "auditor agency's private JWK (default .xhub/demo/secrets/<agency>.private.jwk.json)")
    .option('--node <host:port>', 'node address', '127.0.0.1:50051')
    .option('--audience <nodeId>', 'node id the token is for', 'node-1')
    .option('--ca <file>', 'PEM CA the node certificate chains to (env XHUB_TLS_CA_FILE; default .xhub/demo/tls/ca.pem if it exists, else the system roots)')
    .option('--cert <file>', "auditor's PEM client certificate (env XHUB_TLS_CLIENT_CERT_FILE; default .xhub/demo/tls/<agency>.pem if it exists)")
    .option('--tls-key <file>', 'PEM private key of --cert (env XHUB_TLS_CLIENT_KEY_FILE; default .xhub/demo/tls/<agency>.key if it exists)')
    .option('--insecure', 'plaintext gRPC, for a node on loopback with insecure set');
}

/** The demo's TLS files, where neither flags nor environment name any: as the demo's key default does. */
function withDemoTls(o: AuditorOptions, env: NodeJS.ProcessEnv = process.env): TlsOptions {
  const demo = (file: string) => (existsSync(file) ? file : undefined);
  return {
    ...o,
    ca: o.ca ?? env.XHUB_TLS_CA_FILE ?? demo('.xhub/demo/tls/ca.pem'),
    cert: o.cert ?? env.XHUB_TLS_CLIENT_CERT_FILE ?? demo(`.xhub/demo/tls/${o.as}.pem`),
    tlsKey: o.tlsKey ?? env.XHUB_TLS_CLIENT_KEY_FILE ?? demo(`.xhub/demo/tls/${o.as}.key`),
  };
}

export async function auditorClient(o: AuditorOptions): Promise<AuditClient> {
  const key = await loadSigningKeyFile(o.key ?? `.xhub/demo/secrets/${o.as}.private.jwk.json`);
  return new AuditClient(o.node, o.as, key, o.audience, await clientTransportOf(withDemoTls(o)));
}

export type EntryView = { index: string; entryJson: string; leafHash: string };

/** Every page of a query, up to `limit` entries. */
export async function queryAll(client: AuditClient, filter: Record<string, string>, limit = Infinity): Promise<{ index: number; entry: AuditEntry }[]> {
  const out: { index: number; entry: AuditEntry }[] = [];
  let pageToken = '';
  do {
    const page = await client.call<{ entries: EntryView[]; nextPageToken: string }>('Query', { ...filter, pageSize: Math.min(1000, limit - out.length), pageToken });
    for (const e of page.entries) out.push({ index: Number(e.index), entry: JSON.parse(e.entryJson) as AuditEntry });
    pageToken = page.nextPageToken;
  } while (pageToken && out.length < limit);
  return out.slice(0, limit);
}
