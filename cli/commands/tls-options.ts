import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { ClientTransport } from '../../lib/client-transport.ts';

export interface TlsOptions {
  ca?: string;
  cert?: string;
  tlsKey?: string;
  insecure?: boolean;
}

/**
 * The TLS options of every command that calls a node: TLS is the default;
 * plaintext only with --insecure (for a node on loopback started with `insecure`).
 */
export function tlsOptions(command: Command, defaults: { ca?: string; cert?: string; tlsKey?: string } = {}): Command {
  return command
    .option('--ca <file>', 'PEM CA the node certificate chains to (env XHUB_TLS_CA_FILE; default the system roots)', defaults.ca)
    .option('--cert <file>', "agency's PEM client certificate, for a node that requires mutual TLS (env XHUB_TLS_CLIENT_CERT_FILE)", defaults.cert)
    .option('--tls-key <file>', 'PEM private key of --cert (env XHUB_TLS_CLIENT_KEY_FILE)', defaults.tlsKey)
    .option('--insecure', 'plaintext gRPC, for a node on loopback with insecure set');
}

/** Reads the files the options name: flags first, then XHUB_TLS_* environment. */
export async function clientTransportOf(o: TlsOptions, env: NodeJS.ProcessEnv = process.env): Promise<ClientTransport> {
  if (o.insecure) return { insecure: true };
  const ca = o.ca ?? env.XHUB_TLS_CA_FILE;
  const cert = o.cert ?? env.XHUB_TLS_CLIENT_CERT_FILE;
  const key = o.tlsKey ?? env.XHUB_TLS_CLIENT_KEY_FILE;
  const read = (file: string | undefined) => (file ? readFile(file, 'utf8') : Promise.resolve(undefined));
  const [caPem, certPem, keyPem] = await Promise.all([read(ca), read(cert), read(key)]);
  return { ...(caPem !== undefined && { caPem }), ...(certPem !== undefined && { certPem }), ...(keyPem !== undefined && { keyPem }) };
}
