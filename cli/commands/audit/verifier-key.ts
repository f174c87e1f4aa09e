import type { Command } from 'commander';
import { verifierKeyOf } from '../../../lib/merkle/signed-note.ts';
import { auditOriginOf, hubVerifier, ORIGIN_HELP } from './verify.ts';

/**
 * Prints the C2SP verifier key of the audit log (`<origin>+<key id>+<key>`),
 * from the hub's public key in the policy: what an auditor or witness pins to
 * check checkpoints, e.g. with `xhub audit verify --verifier-key`.
 */
export function registerAuditVerifierKey(audit: Command): void {
  audit
    .command('verifier-key')
    .description("print the audit log's C2SP verifier key (origin+key id+Ed25519 key), from the hub key in the policy")
    .option('--policies <dir>', "policy folder: the hub key is hub.json's jwks, or the file its jwksFile names", '.xhub/demo/policies')
    .option('--origin <origin>', ORIGIN_HELP)
    .action(async (o: { policies: string; origin?: string }) => {
      const origin = o.origin ?? (await auditOriginOf(o.policies));
      console.log(verifierKeyOf(await hubVerifier(o.policies, origin)));
    });
}
