import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { ServiceError } from '@grpc/grpc-js';
import type { ClientTransport } from '../../lib/client-transport.ts';
import { loadSigningKeyFile, type SigningKey } from '../../lib/crypto/keys.ts';
import { ERROR_CODE_TRAILER } from '../../broker/transport/status-map.ts';
import { clientTransportOf, type TlsOptions } from './tls-options.ts';

/** Who calls a node and which node: the options of every command that calls a service as an agency with a role. */
export interface AgencyCallOptions extends TlsOptions {
  as: string;
  key?: string;
  node: string;
  audience: string;
}

/** Adds the agency, key, node and TLS options; files default to the demo's (`.xhub/demo`) where they exist. */
export function agencyCallOptions(command: Command, defaultAgency: string, role: string): Command {
  return command
    .option('--as <agency>', `${role} agency id`, defaultAgency)
    .option('--key <file>', `${role} agency's private JWK (default .xhub/demo/secrets/<agency>.private.jwk.json)`)
    .option('--node <host:port>', 'node address', '127.0.0.1:50051')
    .option('--audience <nodeId>', 'node id the token is for', 'node-1')
    .option('--ca <file>', 'PEM CA the node certificate chains to (env XHUB_TLS_CA_FILE; default .xhub/demo/tls/ca.pem if it exists, else the system roots)')
    .option('--cert <file>', `${role}'s PEM client certificate (env XHUB_TLS_CLIENT_CERT_FILE; default .xhub/demo/tls/<agency>.pem if it exists)`)
    .option('--tls-key <file>', 'PEM private key of --cert (env XHUB_TLS_CLIENT_KEY_FILE; default .xhub/demo/tls/<agency>.key if it exists)')
    .option('--insecure', 'plaintext gRPC, for a node on loopback with insecure set');
}

/** The demo's TLS files, where neither flags nor environment name any: as the demo's key default does. */
export function withDemoTls(o: TlsOptions & { as: string }, env: NodeJS.ProcessEnv = process.env): TlsOptions {
  const demo = (file: string) => (existsSync(file) ? file : undefined);
  return {
    ...o,
    ca: o.ca ?? env.XHUB_TLS_CA_FILE ?? demo('.xhub/demo/tls/ca.pem'),
    cert: o.cert ?? env.XHUB_TLS_CLIENT_CERT_FILE ?? demo(`.xhub/demo/tls/${o.as}.pem`),
    tlsKey: o.tlsKey ?? env.XHUB_TLS_CLIENT_KEY_FILE ?? demo(`.xhub/demo/tls/${o.as}.key`),
  };
}

/** The calling agency's signing key and transport, from the options. */
export async function agencyCredentials(o: AgencyCallOptions): Promise<{ key: SigningKey; transport: ClientTransport }> {
  const key = await loadSigningKeyFile(o.key ?? `.xhub/demo/secrets/${o.as}.private.jwk.json`);
  return { key, transport: await clientTransportOf(withDemoTls(o)) };
}

/**
 * A failed call as the CLI reports it: the hub's error code and message (the
 * status details carry both), or grpc-js's message when the node sent no code.
 */
export function callError(error: unknown): Error {
  const e = error as Partial<ServiceError>;
  const code = e.metadata?.get(ERROR_CODE_TRAILER)[0];
  return new Error(code ? (e.details ?? String(code)) : String(e.message ?? error), { cause: error });
}
