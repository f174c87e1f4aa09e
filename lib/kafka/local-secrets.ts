import { randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCertificateAuthority } from '../tls/certificates.ts';
import type { KafkaCredentials } from './connection.ts';

/** The private CA of a local Kafka and one keystore per node. */
export interface LocalKafkaTls {
  caFile: string;
  caPem: string;
  /** PEM keystore (key, certificate, CA) of each node, by node id. */
  keystoreFiles: Map<number, string>;
  /** The TLS principal of each node (its certificate's CN): super users, so nodes may replicate and vote. */
  nodePrincipals: string[];
}

/** The TLS principal of a node's certificate. */
export const kraftNodePrincipal = (nodeId: number): string => `broker-${nodeId}`;

/**
 * A private CA and a certificate per node (serverAuth for clients, clientAuth
 * toward the other nodes' inter-broker and controller listeners), so that only
 * the cluster's own nodes can use those listeners.
 */
export async function writeLocalKafkaTls(rootDir: string, nodeIds: number[]): Promise<LocalKafkaTls> {
  const dir = join(rootDir, 'tls');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const ca = await createCertificateAuthority('exchange-hub local Kafka CA');
  const caFile = join(dir, 'ca.pem');
  await writeFile(caFile, ca.certPem);
  const keystoreFiles = new Map<number, string>();
  for (const nodeId of nodeIds) {
    const leaf = await ca.issue({ commonName: kraftNodePrincipal(nodeId), dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    const file = join(dir, `${kraftNodePrincipal(nodeId)}.pem`);
    // A PEM keystore holds the private key and then the certificate chain.
    await writeFile(file, leaf.keyPem + leaf.certPem + ca.certPem, { mode: 0o600 });
    keystoreFiles.set(nodeId, file);
  }
  return { caFile, caPem: ca.certPem, keystoreFiles, nodePrincipals: nodeIds.map(kraftNodePrincipal) };
}

/** A random SCRAM password per principal, each in its own credentials file (mode 0600). */
export async function writeLocalCredentials(rootDir: string, principals: string[]): Promise<Map<string, KafkaCredentials>> {
  const dir = join(rootDir, 'credentials');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const users = new Map<string, KafkaCredentials>();
  for (const username of principals) {
    const credentials = { username, password: randomBytes(24).toString('base64url') };
    const file = join(dir, `${username}.json`);
    await writeFile(file, JSON.stringify(credentials) + '\n', { mode: 0o600 });
    await chmod(file, 0o600);
    users.set(username, credentials);
  }
  return users;
}

/** Where writeLocalCredentials put a principal's file. */
export const localCredentialsFile = (rootDir: string, principal: string): string => join(rootDir, 'credentials', `${principal}.json`);
