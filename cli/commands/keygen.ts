import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { generateAgencyKeyPair } from '../../lib/crypto/keys.ts';

export function registerKeygen(program: Command): void {
  program
    .command('keygen')
    .description("generate an agency's Ed25519 key pair: a private JWK file and the public JWKS entry for the registry")
    .requiredOption('--agency <id>', 'agency id, e.g. DOPA')
    .option('--kid <kid>', 'key id (default: <agency>-<date>)')
    .option('--out <dir>', 'folder to write into', '.')
    .action(async (o: { agency: string; kid?: string; out: string }) => {
      const kid = o.kid ?? `${o.agency}-${new Date().toISOString().slice(0, 10)}`;
      const { privateJwk, publicJwk } = await generateAgencyKeyPair(kid);
      const privateFile = join(o.out, `${o.agency}.private.jwk.json`);
      const publicFile = join(o.out, `${o.agency}.jwks.json`);
      await writeFile(privateFile, JSON.stringify(privateJwk, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
      await writeFile(publicFile, JSON.stringify({ keys: [publicJwk] }, null, 2) + '\n', { flag: 'wx' });
      console.log(`private key (keep secret, mode 0600): ${privateFile}`);
      console.log(`public JWKS (reference it from agencies.json "jwksFile", or add the entry to "jwks"): ${publicFile}`);
      console.log(JSON.stringify(publicJwk));
    });
}
