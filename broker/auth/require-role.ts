import { HubError } from '../../lib/errors/hub-error.ts';
import type { Policy, Role } from '../../policies/policy.types.ts';

/** Fails closed unless the agency holds one of the roles. */
export function requireRole(policy: Policy, agency: string, roles: Role[], action: string): void {
  const held = policy.agencies.get(agency)?.roles ?? [];
  if (!roles.some((r) => held.includes(r))) {
    throw new HubError('ERR_ROLE_REQUIRED', `${action} needs the ${roles.join(' or ')} role; agency ${agency} does not have it`);
  }
}
