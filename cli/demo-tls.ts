import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { NodeTlsConfig } from '../broker/config.ts';
import type { ClientTransport } from '../lib/client-transport.ts';
import { certificateFingerprint, createCertificateAuthority, loadCertificateAuthority, type CertificateAuthority } from '../lib/tls/certificates.ts';

/** Where a demo's TLS material lives: one local CA, the node's certificate, and a client certificate per agency. */
export interface DemoTls {
  dir: string;
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  clientCertFile(agency: string): string;
  clientKeyFile(agency: string): string;
}

/**
 * Makes (or keeps, across restarts) a local CA in `<stateDir>/tls`, a server
 * certificate for this machine's loopback names, and a client certificate per
 * agency, and binds each agency's certificate to it in the policy copy's
 * agencies.json. Keys are written mode 0600. A real deployment uses the
 * operator's PKI instead; nothing here is meant for production.
 */
export async function materialiseDemoTls(stateDir: string, policiesDir: string, agencies: string[]): Promise<DemoTls> {
  const dir = join(stateDir, 'tls');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tls: DemoTls = {
    dir,
    caFile: join(dir, 'ca.pem'),
    serverCertFile: join(dir, 'node.pem'),
    serverKeyFile: join(dir, 'node.key'),
    clientCertFile: (agency) => join(dir, `${agency}.pem`),
    clientKeyFile: (agency) => join(dir, `${agency}.key`),
  };
  const ca = await demoCa(dir);
  if (!existsSync(tls.serverCertFile) || !existsSync(tls.serverKeyFile)) {
    await writePair(tls.serverCertFile, tls.serverKeyFile, await ca.issue({ commonName: 'xhub demo node', dnsNames: ['localhost', hostname()], ipAddresses: ['127.0.0.1', '::1'], usage: 'server' }));
  }
  const fingerprints = new Map<string, string>();
  for (const agency of agencies) {
    if (!existsSync(tls.clientCertFile(agency)) || !existsSync(tls.clientKeyFile(agency))) {
      await writePair(tls.clientCertFile(agency), tls.clientKeyFile(agency), await ca.issue({ commonName: agency, usage: 'client' }));
    }
    fingerprints.set(agency, certificateFingerprint(await readFile(tls.clientCertFile(agency), 'utf8')));
  }
  await bindCertificates(join(policiesDir, 'agencies.json'), fingerprints);
  return tls;
}

/** The node's TLS settings for a demo: server TLS, and every caller must present an agency's client certificate. */
export function demoNodeTls(tls: DemoTls): NodeTlsConfig {
  return { certFile: tls.serverCertFile, keyFile: tls.serverKeyFile, clientCaFile: tls.caFile, requireClientCert: true };
}

/** How an agency's client reaches a demo node: trusting the demo CA, with the agency's client certificate. */
export async function demoClientTransport(tls: DemoTls, agency: string): Promise<ClientTransport> {
  const [caPem, certPem, keyPem] = await Promise.all([readFile(tls.caFile, 'utf8'), readFile(tls.clientCertFile(agency), 'utf8'), readFile(tls.clientKeyFile(agency), 'utf8')]);
  return { caPem, certPem, keyPem };
}

async function demoCa(dir: string): Promise<CertificateAuthority> {
  const certFile = join(dir, 'ca.pem');
  const keyFile = join(dir, 'ca.key');
  if (existsSync(certFile) && existsSync(keyFile)) return loadCertificateAuthority(await readFile(certFile, 'utf8'), await readFile(keyFile, 'utf8'));
  const ca = await createCertificateAuthority('xhub demo CA');
  await writePair(certFile, keyFile, ca);
  return ca;
}

async function writePair(certFile: string, keyFile: string, issued: { certPem: string; keyPem: string }): Promise<void> {
  await writeFile(keyFile, issued.keyPem, { mode: 0o600 });
  await chmod(keyFile, 0o600);
  await writeFile(certFile, issued.certPem);
}

async function bindCertificates(agenciesFile: string, fingerprints: ReadonlyMap<string, string>): Promise<void> {
  const registry = JSON.parse(await readFile(agenciesFile, 'utf8')) as { agencies: { id: string; tlsClientCertificates?: { sha256: string }[] }[] };
  for (const agency of registry.agencies) {
    const sha256 = fingerprints.get(agency.id);
    if (sha256) agency.tlsClientCertificates = [{ sha256 }];
  }
  await writeFile(agenciesFile, JSON.stringify(registry, null, 2) + '\n');
}
