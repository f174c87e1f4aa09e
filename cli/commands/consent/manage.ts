import type { Command } from 'commander';
import { callConsent, consentLine, consentManagerOptions, type ConsentManagerOptions, type ConsentView } from './consent-manager.ts';

type WithJson = ConsentManagerOptions & { json?: boolean };

/** `xhub consent get | list | revoke | revoke-all`: one Consent call each, as the consent manager. */
export function registerConsentManage(consent: Command): void {
  consentManagerOptions(consent.command('get').description('show one consent, in any state, as JSON').argument('<consentId>')).action(async (consentId: string, o: ConsentManagerOptions) => {
    console.log(JSON.stringify(await callConsent<ConsentView>(o, 'Get', { consentId }), null, 2));
  });

  consentManagerOptions(
    consent
      .command('list')
      .description('every consent a person has given, in any state: one line each')
      .requiredOption('--subject <citizenId>', 'the person: 13-digit citizen id')
      .option('--json', 'print the consents as JSON'),
  ).action(async (o: WithJson & { subject: string }) => {
    const { consents } = await callConsent<{ consents: ConsentView[] }>(o, 'List', { subject: o.subject });
    if (o.json) console.log(JSON.stringify(consents, null, 2));
    else for (const c of consents) console.log(consentLine(c));
    if (!o.json) console.error(`${consents.length} consents`);
  });

  consentManagerOptions(
    consent
      .command('revoke')
      .description('withdraw one consent for the person it belongs to; effective at once')
      .argument('<consentId>')
      .requiredOption('--subject <citizenId>', 'the person the consent belongs to')
      .option('--reason <text>', 'why, as the person gave it', ''),
  ).action(async (consentId: string, o: ConsentManagerOptions & { subject: string; reason: string }) => {
    const revoked = await callConsent<ConsentView>(o, 'Revoke', { consentId, subject: o.subject, reason: o.reason });
    console.log(consentLine(revoked));
  });

  consentManagerOptions(
    consent
      .command('revoke-all')
      .description('withdraw every active consent a person has given')
      .requiredOption('--subject <citizenId>', 'the person')
      .option('--reason <text>', 'why, as the person gave it', ''),
  ).action(async (o: ConsentManagerOptions & { subject: string; reason: string }) => {
    const { revokedConsentIds } = await callConsent<{ revokedConsentIds: string[] }>(o, 'RevokeAll', { subject: o.subject, reason: o.reason });
    console.log(`revoked ${revokedConsentIds.length} consents${revokedConsentIds.length > 0 ? `:\n${revokedConsentIds.join('\n')}` : ''}`);
  });
}
