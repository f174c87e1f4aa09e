import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import type { JWK } from 'jose';
import { readAuditLog, readAuditLogFile, writeAuditLogFile } from '../../../broker/audit/audit-source.ts';
import { checkpointVerifier, defaultAuditOrigin } from '../../../broker/audit/checkpoint-message.ts';
import { verifyLog } from '../../../broker/audit/verify-log.ts';
import { kafkaCliOptions, kafkaFromCli, type KafkaCliOptions } from '../kafka-options.ts';
import { loadPolicy, nodeKeyLookup } from '../../../policies/policy-loader.ts';
import { parseVerifierKey, type NoteVerifier } from '../../../lib/merkle/signed-note.ts';

interface SourceOptions extends KafkaCliOptions {
  prefix: string;
  file?: string;
}

/** Kafka options of the DPO commands: they read as the audit-reader principal, which may only read the audit log. */
const kafkaOptions = (command: Command) => kafkaCliOptions(command, 'audit-reader');

export function registerAuditVerify(audit: Command): void {
  kafkaOptions(
    audit.command('verify').description('recompute the audit Merkle tree, check every signed checkpoint and every entry signature, and name each entry or checkpoint that fails'),
  )
    .option('--prefix <prefix>', 'topic prefix', 'xhub.')
    .option('--file <path>', 'verify an exported copy instead of the topics')
    .option('--policies <dir>', "policy folder: checkpoints are checked with the hub key (hub.json's jwks, or the file its jwksFile names), entries with the keys of the nodes hub.json lists", '.xhub/demo/policies')
    .option('--verifier-key <vkey>', 'C2SP verifier key of the log (name+hash+key, as `xhub audit verifier-key` prints it), instead of the hub key from --policies')
    .option('--origin <origin>', ORIGIN_HELP)
    .action(async (o: SourceOptions & { policies: string; verifierKey?: string; origin?: string }) => {
      const given = o.verifierKey ? parseVerifierKey(o.verifierKey) : undefined;
      // A verifier key names its log: its name is the origin unless --origin says otherwise.
      const origin = o.origin ?? given?.name ?? (await auditOriginOf(o.policies));
      const verifier = given ?? (await hubVerifier(o.policies, origin));
      const entryKeys = nodeKeyLookup(await loadPolicy(o.policies));
      const bar = new SingleBar({ format: 'verifying {bar} {value}/{total} messages', stream: process.stderr }, Presets.shades_classic);
      const log = await load(o, (read, total) => progress(bar, read, total));
      bar.start(log.entries.length + log.checkpoints.length, 0);
      const started = performance.now();
      const result = verifyLog(log.entries, log.checkpoints, verifier, origin, entryKeys, (done) => bar.update(done));
      bar.stop();
      const seconds = (performance.now() - started) / 1000;
      if (!result.ok) {
        for (const failure of result.failures) console.log(`FAILED: ${failure.reason}`);
        console.log(`${result.failures.length} problem(s) in ${result.entries} entries and ${result.checkpoints} checkpoints`);
        process.exitCode = 2;
        return;
      }
      console.log(`OK: ${result.entries} entries, ${result.checkpoints} checkpoints; ${result.verifiedSize} entries covered by signed checkpoints, ${result.unverifiedTail} newer ones not yet`);
      console.log(`verified in ${seconds.toFixed(2)} s (${Math.round(result.entries / Math.max(seconds, 1e-9))} entries/s)`);
    });

  kafkaOptions(audit.command('export').description('copy the audit log and its checkpoints to a JSON Lines file for offline verification'))
    .requiredOption('--out <path>', 'file to write')
    .option('--prefix <prefix>', 'topic prefix', 'xhub.')
    .action(async (o: SourceOptions & { out: string }) => {
      const log = await load(o);
      await writeAuditLogFile(o.out, log);
      console.log(`wrote ${log.entries.length} entries and ${log.checkpoints.length} checkpoints to ${o.out}`);
    });
}

async function load(o: SourceOptions, onProgress?: (read: number, total: number) => void) {
  if (o.file) return readAuditLogFile(o.file);
  return readAuditLog(kafkaFromCli(o, 'xhub audit'), o.prefix, onProgress);
}

export const ORIGIN_HELP = "log origin (default env XHUB_AUDIT_ORIGIN, else exchange-hub.local/<hub.json's id>, as the node derives it)";

type HubJson = { id: string; jwks?: { keys: JWK[] }; jwksFile?: string };
const readHub = async (policies: string) => JSON.parse(await readFile(join(policies, 'hub.json'), 'utf8')) as HubJson;

/** The hub's checkpoint verifier: its public key (hub.json's jwks, or its jwksFile) under the log's origin. */
export async function hubVerifier(policies: string, origin: string): Promise<NoteVerifier> {
  const hub = await readHub(policies);
  const jwks = hub.jwks ?? (JSON.parse(await readFile(join(policies, hub.jwksFile ?? ''), 'utf8')) as { keys: JWK[] });
  const key = jwks.keys[0];
  if (!key) throw new Error(`no hub key in ${policies}/hub.json (jwks or jwksFile)`);
  return checkpointVerifier(origin, key);
}

/** The log's origin as a node with this policy and environment uses it: XHUB_AUDIT_ORIGIN, else derived from hub.json's id. */
export async function auditOriginOf(policies: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return env.XHUB_AUDIT_ORIGIN || defaultAuditOrigin((await readHub(policies)).id);
}

function progress(bar: SingleBar, read: number, total: number): void {
  if (!process.stderr.isTTY) return;
  // readTopic reports only after its first messages: start the bar on the first report.
  if (!bar.isActive) bar.start(total, 0);
  bar.update(read);
}
