import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { addUser, totpOf, type ConsoleUser } from '../../broker/console/console-users.ts';
import { loadPolicy } from '../../policies/policy-loader.ts';

/** `xhub console add-user`: an account for a named DPO of an auditor agency, with its TOTP enrolment URI. */
export function registerConsole(program: Command): void {
  const console_ = program.command('console').description('the DPO web console, served by an audit node');
  console_
    .command('add-user')
    .description('create (or replace) a DPO account: argon2id password hash and a TOTP secret; prints the otpauth:// URI to enrol an authenticator app')
    .requiredOption('--users <file>', "the console's users file (created mode 0600 if missing)")
    .requiredOption('--name <name>', 'user name (3 to 64 letters, digits, . _ @ -)')
    .option('--agency <id>', 'the auditor agency the person works for', 'PDPC')
    .option('--policies <dir>', 'policy folder (the agency must have the auditor role)', '.xhub/demo/policies')
    .requiredOption('--password-stdin', 'read the password from standard input (never from the command line)')
    .action(async (o: { users: string; name: string; agency: string; policies: string }) => {
      let password = '';
      for await (const chunk of process.stdin) password += String(chunk);
      const { uri } = await addUser(o.users, await loadPolicy(o.policies), { name: o.name, agency: o.agency, password: password.replace(/\r?\n$/, '') });
      console.log(uri);
    });

  console_
    .command('totp')
    .description("print a user's current one-time code from the users file: for the demo's DPO only (a real DPO's code comes from their authenticator app)")
    .requiredOption('--users <file>', "the console's users file")
    .requiredOption('--name <name>', 'user name')
    .action(async (o: { users: string; name: string }) => {
      const users = (JSON.parse(await readFile(o.users, 'utf8')) as { users: ConsoleUser[] }).users;
      const user = users.find((u) => u.name === o.name);
      if (!user) throw new Error(`no user ${o.name} in ${o.users}`);
      console.log(totpOf(user).generate());
    });
}
