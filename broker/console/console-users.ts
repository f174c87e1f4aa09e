import { argon2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { Secret, TOTP } from 'otpauth';
import { HubError } from '../../lib/errors/hub-error.ts';
import type { Policy } from '../../policies/policy.types.ts';

/** argon2id with OWASP's first recommended setting (19 MiB, 2 passes, 1 lane): memory-hard, about 30 ms here. */
const KDF = { memory: 19_456, passes: 2, parallelism: 1, tagLength: 32 } as const;
const MIN_PASSWORD = 12;

export interface ConsoleUser {
  name: string;
  /** The auditor agency the person works for. */
  agency: string;
  password: { alg: 'argon2id'; memory: number; passes: number; parallelism: number; salt: string; hash: string };
  /** RFC 6238 TOTP secret, base32. */
  totpSecret: string;
}

interface UsersFile {
  formatVersion: '1';
  users: ConsoleUser[];
}

function kdf(password: string, salt: Buffer, p: { memory: number; passes: number; parallelism: number }): Buffer {
  return argon2Sync('argon2id', { message: password, nonce: salt, memory: p.memory, passes: p.passes, parallelism: p.parallelism, tagLength: KDF.tagLength });
}

export function checkPassword(user: ConsoleUser, password: string): boolean {
  const p = user.password;
  const expected = Buffer.from(p.hash, 'base64');
  const got = kdf(password, Buffer.from(p.salt, 'base64'), p);
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** The TOTP generator of a user (SHA-1, 6 digits, 30 s: what authenticator apps expect). */
export function totpOf(user: Pick<ConsoleUser, 'name' | 'totpSecret'>): TOTP {
  return new TOTP({ issuer: 'exchange-hub', label: user.name, algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(user.totpSecret) });
}

/** Reads the users file, refusing accounts of agencies that are not auditors in the policy. */
export async function loadUsers(file: string, policy: Policy): Promise<Map<string, ConsoleUser>> {
  let parsed: UsersFile;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8')) as UsersFile;
  } catch (error) {
    throw new HubError('ERR_CONFIG_INVALID', `console users file ${file} cannot be read: ${(error as Error).message}; create it with xhub console add-user`, { cause: error });
  }
  if (parsed.formatVersion !== '1' || !Array.isArray(parsed.users)) throw new HubError('ERR_CONFIG_INVALID', `console users file ${file}: formatVersion must be "1" with a users array`);
  for (const u of parsed.users) assertAuditor(policy, u.agency, `console users file ${file}: user ${u.name}`);
  return new Map(parsed.users.map((u) => [u.name, u]));
}

function assertAuditor(policy: Policy, agency: string, what: string): void {
  if (!policy.agencies.get(agency)?.roles.includes('auditor')) throw new HubError('ERR_CONFIG_INVALID', `${what}: agency ${agency} does not have the auditor role in the policy`);
}

/** Adds (or replaces) an account and returns its TOTP enrolment URI (otpauth://). */
export async function addUser(file: string, policy: Policy, input: { name: string; agency: string; password: string; totpSecret?: string }): Promise<{ uri: string; secret: string }> {
  if (!/^[A-Za-z0-9._@-]{3,64}$/.test(input.name)) throw new HubError('ERR_INVALID_ARGUMENT', 'name must be 3 to 64 letters, digits or . _ @ -');
  if (input.password.length < MIN_PASSWORD) throw new HubError('ERR_INVALID_ARGUMENT', `password must be at least ${MIN_PASSWORD} characters`);
  assertAuditor(policy, input.agency, `user ${input.name}`);
  let existing: UsersFile = { formatVersion: '1', users: [] };
  try {
    existing = JSON.parse(await readFile(file, 'utf8')) as UsersFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const salt = randomBytes(16);
  const secret = input.totpSecret ?? new Secret({ size: 20 }).base32;
  const user: ConsoleUser = {
    name: input.name,
    agency: input.agency,
    password: { alg: 'argon2id', memory: KDF.memory, passes: KDF.passes, parallelism: KDF.parallelism, salt: salt.toString('base64'), hash: kdf(input.password, salt, KDF).toString('base64') },
    totpSecret: secret,
  };
  const users = [...existing.users.filter((u) => u.name !== input.name), user];
  await writeFile(file, `${JSON.stringify({ formatVersion: '1', users }, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return { uri: totpOf(user).toString(), secret };
}

/** An account nobody can sign in to (random password), hashed against for unknown names. */
export function decoyUser(): ConsoleUser {
  const salt = randomBytes(16);
  return { name: '', agency: '', password: { alg: 'argon2id', ...KDF, salt: salt.toString('base64'), hash: kdf(randomBytes(32).toString('base64'), salt, KDF).toString('base64') }, totpSecret: new Secret({ size: 20 }).base32 };
}
