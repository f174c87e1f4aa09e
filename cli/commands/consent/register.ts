import type { Command } from 'commander';
import { registerConsentGrant } from './grant.ts';
import { registerConsentManage } from './manage.ts';

export function registerConsent(program: Command): void {
  const consent = program.command('consent').description("citizens' consent (PDPA s.19) as a consent manager: grant, get, list, revoke, revoke-all");
  registerConsentGrant(consent);
  registerConsentManage(consent);
}
