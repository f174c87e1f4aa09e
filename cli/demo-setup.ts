import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateAgencyKeyPair } from '../lib/crypto/keys.ts';
import { hubPrincipals } from '../lib/kafka/principals.ts';
import { POLICY_FILES } from '../policies/policy-schemas.ts';
import { materialiseDemoTls, type DemoTls } from './demo-tls.ts';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DEMO_POLICIES = join(REPO_ROOT, 'policies', 'demo');
export const DEMO_DATA = join(REPO_ROOT, 'connectors', 'demo-data');

export interface DemoLayout {
  policiesDir: string;
  secretsDir: string;
  hubKeyFile: string;
  /** The operator's HMAC key for citizen-id pseudonyms. */
  pseudonymKeyFile: string;
  agencyKeyFile(agency: string): string;
  /** The private key a node signs its consent events and audit entries with. */
  nodeKeyFile(nodeId: string): string;
  agencies: string[];
  /** Node ids registered in the policy's hub.json. */
  nodes: string[];
  /** The demo CA, the node's certificate and each agency's client certificate. */
  tls: DemoTls;
}

/**
 * Makes a runnable copy of a policy folder in `stateDir`: the policy files,
 * plus a fresh Ed25519 key pair for the hub and each agency (public JWKS
 * beside the policy, private JWK in `secrets/`, mode 0600). Keys already
 * there are kept, so a demo keeps its identities across restarts. TLS
 * material comes the same way (see `materialiseDemoTls`). No private key is
 * ever committed to the repository.
 */
export async function materialiseDemo(stateDir: string, sourceDir = DEMO_POLICIES): Promise<DemoLayout> {
  const policiesDir = join(stateDir, 'policies');
  const secretsDir = join(stateDir, 'secrets');
  await mkdir(join(policiesDir, 'keys'), { recursive: true });
  await mkdir(secretsDir, { recursive: true, mode: 0o700 });
  for (const name of POLICY_FILES) await copyFile(join(sourceDir, `${name}.json`), join(policiesDir, `${name}.json`));
  const agencies = (JSON.parse(await readFile(join(policiesDir, 'agencies.json'), 'utf8')) as { agencies: { id: string }[] }).agencies.map((a) => a.id);
  const nodes = (JSON.parse(await readFile(join(policiesDir, 'hub.json'), 'utf8')) as { nodes: { id: string }[] }).nodes.map((n) => n.id);
  for (const owner of ['hub', ...agencies, ...nodes.map((n) => `node-${n}`)]) {
    const privateFile = join(secretsDir, `${owner}.private.jwk.json`);
    const publicFile = join(policiesDir, 'keys', `${owner}.jwks.json`);
    if (existsSync(privateFile) && existsSync(publicFile)) continue;
    const { privateJwk, publicJwk } = await generateAgencyKeyPair(`${owner}-${new Date().toISOString().slice(0, 10)}`);
    await writeFile(privateFile, JSON.stringify(privateJwk, null, 2) + '\n', { mode: 0o600 });
    await chmod(privateFile, 0o600);
    await writeFile(publicFile, JSON.stringify({ keys: [publicJwk] }, null, 2) + '\n');
  }
  const pseudonymKeyFile = join(secretsDir, 'pseudonym.key');
  if (!existsSync(pseudonymKeyFile)) await writeFile(pseudonymKeyFile, randomBytes(32).toString('base64') + '\n', { mode: 0o600 });
  const tls = await materialiseDemoTls(stateDir, policiesDir, agencies);
  return {
    policiesDir,
    secretsDir,
    hubKeyFile: join(secretsDir, 'hub.private.jwk.json'),
    pseudonymKeyFile,
    agencyKeyFile: (agency) => join(secretsDir, `${agency}.private.jwk.json`),
    nodeKeyFile: (nodeId) => join(secretsDir, `node-${nodeId}.private.jwk.json`),
    agencies,
    nodes,
    tls,
  };
}

/** Node ids and provider agencies a policy folder's JSON names (read raw: keys need not exist yet). */
export function policyMembers(dir = DEMO_POLICIES): { nodeIds: string[]; providers: string[] } {
  const read = <T>(file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as T;
  const nodeIds = read<{ nodes: { id: string }[] }>('hub.json').nodes.map((n) => n.id);
  const providers = read<{ agencies: { id: string; roles: string[] }[] }>('agencies.json').agencies.filter((a) => a.roles.includes('provider')).map((a) => a.id);
  return { nodeIds, providers };
}

/** The Kafka principals a hub with the demo policy needs (for the local broker's SCRAM users). */
export function demoPrincipals(): string[] {
  const { nodeIds, providers } = policyMembers();
  return hubPrincipals(nodeIds, providers);
}
