import type { Command } from 'commander';
import { HubError } from '../../../lib/errors/hub-error.ts';
import { callConsent, consentLine, consentManagerOptions, type ConsentManagerOptions, type ConsentView } from './consent-manager.ts';

interface GrantOptions extends ConsentManagerOptions {
  subject: string;
  consumer: string;
  recordTypes: string;
  purposes: string;
  validFrom?: string;
  validTo?: string;
  validDays?: string;
  dataLifeDays?: string;
  maxUses: string;
  collectionMethod?: string;
  collectedAt?: string;
  collectionReference?: string;
  noticeVersion?: string;
  explicit?: boolean;
  json?: boolean;
  quiet?: boolean;
}

const DAY_MS = 86_400_000;
const list = (value: string) => value.split(',').map((v) => v.trim()).filter(Boolean);

/** A whole number for a uint32 field; the service checks its range, as it would for any client. */
function whole(value: string | undefined, flag: string): number {
  if (value === undefined) return 0;
  if (!/^\d{1,10}$/.test(value) || Number(value) > 0xffff_ffff) throw new HubError('ERR_INVALID_ARGUMENT', `${flag} must be a whole number`);
  return Number(value);
}

/**
 * `xhub consent grant`: records a person's consent through the Consent
 * service. Only presence is checked here; values are the service's to judge,
 * so the CLI refuses exactly what any other client would be refused.
 */
export function registerConsentGrant(consent: Command): void {
  consentManagerOptions(
    consent
      .command('grant')
      .description("record a person's consent for one consumer, record types and purposes; prints the consent id and the receipt signed by the hub")
      .requiredOption('--subject <citizenId>', "the person giving consent: 13-digit citizen id")
      .requiredOption('--consumer <agency>', 'the agency that may receive the data')
      .requiredOption('--record-types <a,b>', 'record type ids the consent covers (the provider comes from the registry)')
      .requiredOption('--purposes <a,b>', 'purpose codes the consent is specific to')
      .option('--valid-from <time>', 'RFC 3339 with offset, e.g. 2026-11-21T10:00:00+07:00; not before 2019-05-27; default now')
      .option('--valid-to <time>', "RFC 3339 end of validity (or --valid-days); at most the hub's maximum validity after --valid-from (10 years unless the node sets maxConsentValidityDays)")
      .option('--valid-days <n>', 'validity in days from now, instead of --valid-to')
      .option('--data-life-days <n>', 'how long the consumer may keep what it receives (1-3650)')
      .option('--max-uses <n>', 'transfers allowed; 0 for no limit within the validity', '0')
      .option('--collection-method <method>', 'how consent was obtained: mobile-app, web, paper-form, in-person or call-centre')
      .option('--collected-at <time>', 'RFC 3339 time consent was collected: from 2019-05-27 (the PDPA) to now (5 minutes of clock skew allowed); default now')
      .option('--collection-reference <ref>', "the consent manager's own reference for the interaction")
      .option('--notice-version <version>', 'version of the notice shown to the person')
      .option('--explicit', 'the person gave explicit consent (PDPA s.26 requires it for sensitive record types)')
      .option('--json', 'print the consent record and receipt as JSON')
      .option('-q, --quiet', 'print only the consent id (for scripts: ID=$(xhub consent grant … -q))'),
  ).action(async (o: GrantOptions) => {
    if (o.validTo !== undefined && o.validDays !== undefined) throw new HubError('ERR_INVALID_ARGUMENT', 'give --valid-to or --valid-days, not both');
    const now = Date.now();
    const validTo = o.validDays !== undefined ? new Date(now + whole(o.validDays, '--valid-days') * DAY_MS).toISOString() : (o.validTo ?? '');
    const request = {
      subject: o.subject,
      consumer: o.consumer,
      items: list(o.recordTypes).map((recordType) => ({ recordType, provider: '' })),
      purposes: list(o.purposes),
      validFrom: o.validFrom ?? '',
      validTo,
      dataLifeDays: whole(o.dataLifeDays, '--data-life-days'),
      maxUses: whole(o.maxUses, '--max-uses'),
      collection: { method: o.collectionMethod ?? '', collectedAt: o.collectedAt ?? new Date(now).toISOString(), reference: o.collectionReference ?? '' },
      noticeVersion: o.noticeVersion ?? '',
      explicit: o.explicit === true,
    };
    const granted = await callConsent<{ consent: ConsentView; receipt: string }>(o, 'Grant', request);
    if (o.quiet) {
      console.log(granted.consent.consentId);
      return;
    }
    if (o.json) {
      console.log(JSON.stringify(granted, null, 2));
      return;
    }
    console.log(`consent ${granted.consent.consentId} granted`);
    console.log(consentLine(granted.consent));
    console.log(`receipt (compact JWS signed with the hub key; verify with hub.json's JWKS):\n${granted.receipt}`);
  });
}
