import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { embeddedTrust, verifyEvidence, type EvidenceTrust } from '../../broker/evidence/verify-evidence.ts';
import type { EvidenceBundle } from '../../broker/evidence/evidence.types.ts';
import type { Evidence__Output } from '../../lib/proto-types/xhub/audit/v1/Evidence.ts';
import { parseCheckpoint, type Checkpoint } from '../../lib/merkle/checkpoint.ts';
import { noteText, parseVerifierKey } from '../../lib/merkle/signed-note.ts';
import { loadPolicy } from '../../policies/policy-loader.ts';
import { auditorClient, auditorOptions, type AuditorOptions } from './audit/auditor-client.ts';
import { hubVerifier } from './audit/verify.ts';

interface VerifyOptions {
  policies: string;
  verifierKey?: string;
  trustEmbeddedKeys?: boolean;
  json?: boolean;
}

export function registerEvidence(program: Command): void {
  const evidence = program.command('evidence').description('evidence bundles: what the audit log proves about one exchange, checkable offline');
  auditorOptions(
    evidence
      .command('get')
      .description('fetch the evidence bundle of an exchange from an audit node (auditor role)')
      .requiredOption('--exchange-id <id>', 'the exchange, as the hub handed it out')
      .option('--out <file>', 'write the bundle here instead of standard output'),
  ).action(async (o: AuditorOptions & { exchangeId: string; out?: string }) => {
    const client = await auditorClient(o);
    try {
      const { bundleJson } = await client.call<Evidence__Output>('GetEvidence', { exchangeId: o.exchangeId });
      if (o.out) await writeFile(o.out, `${bundleJson}\n`);
      else console.log(bundleJson);
    } finally {
      client.close();
    }
  });

  evidence
    .command('verify')
    .description('check an evidence bundle with no access to the hub: the checkpoint signature, every inclusion proof and entry signature, and the provider receipt')
    .argument('<file>', 'the bundle (JSON)')
    .option('--policies <dir>', "public policy folder: the hub key (checkpoints), the nodes' keys (entries) and the agencies' keys (receipts)", '.xhub/demo/policies')
    .option('--verifier-key <vkey>', "the log's C2SP verifier key, instead of the hub key from --policies")
    .option('--trust-embedded-keys', 'check against the keys the bundle carries (shows only that it is consistent, not that the hub made it)')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, o: VerifyOptions) => {
      let bundle: unknown;
      try {
        bundle = JSON.parse(await readFile(file, 'utf8'));
      } catch (error) {
        throw new Error(`${file} is not a JSON file: ${(error as Error).message}`, { cause: error });
      }
      const trust = await trustFor(bundle, o);
      const report = await verifyEvidence(bundle, trust);
      if (o.json) console.log(JSON.stringify(report, null, 2));
      else if (report.ok) {
        console.log(
          `OK: exchange ${report.exchangeId}: ${report.kinds.length} entries (${report.kinds.join(', ')}) in the log ${report.origin}, proven against its signed checkpoint of size ${report.checkpointSize}; ${report.receipt ? 'provider receipt verified' : 'no delivery, so no provider receipt'}`,
        );
        if (!report.anchored) console.log(`NOT ANCHORED: checked with the keys the bundle carries; compare its log key ${(bundle as EvidenceBundle).keys.log} with the one the hub publishes`);
      } else console.log(`FAIL: ${report.check}: ${report.reason}`);
      process.exitCode = report.ok ? 0 : 1;
    });
}

/** The keys to check against: the bundle's own only when asked for, else the public policy folder (and a given log key). */
async function trustFor(bundle: unknown, o: VerifyOptions): Promise<EvidenceTrust> {
  if (o.trustEmbeddedKeys) return embeddedTrust(bundle);
  if (!existsSync(o.policies)) {
    throw new Error(`no policy folder at ${o.policies}: give --policies (the hub's public keys), or --trust-embedded-keys to check only the bundle's inner consistency`);
  }
  const policy = await loadPolicy(o.policies);
  if (o.verifierKey) return { log: parseVerifierKey(o.verifierKey), keys: policy.keys, anchored: true };
  // The log's origin is the checkpoint's own; the signature is checked with the hub key from the policy.
  const origin = originOf(bundle);
  return { log: await hubVerifier(o.policies, origin), keys: policy.keys, anchored: true };
}

function originOf(bundle: unknown): string {
  let checkpoint: Checkpoint;
  try {
    checkpoint = parseCheckpoint(noteText(String((bundle as Partial<EvidenceBundle> | undefined)?.checkpoint ?? '')));
  } catch {
    return '';
  }
  return checkpoint.origin;
}
