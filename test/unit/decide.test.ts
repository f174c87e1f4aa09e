import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { materialiseDemo } from '../../cli/demo-setup.ts';
import type { ConsentLookup, ConsentState } from '../../policies/consent.types.ts';
import { decide, type DecisionInput } from '../../policies/decide.ts';
import { loadPolicy } from '../../policies/policy-loader.ts';
import type { Policy } from '../../policies/policy.types.ts';

const NOW = Date.parse('2026-11-21T10:00:00+07:00');
const DAY = 86_400_000;
const ALICE = 'subject-ref-alice';
const BOB = 'subject-ref-bob';
let dir: string;
let policy: Policy;

/** The demo policy plus one agreement for each remaining s.24 basis and two deliberately bad ones. */
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xhub-decide-'));
  const { policiesDir } = await materialiseDemo(dir);
  const edit = async (file: string, change: (j: any) => void) => {
    const j = JSON.parse(await readFile(join(policiesDir, file), 'utf8'));
    change(j);
    await writeFile(join(policiesDir, file), JSON.stringify(j));
  };
  await edit('purposes.json', (j) =>
    j.purposes.push(
      { code: 'STATISTICS', title: 'Official statistics' },
      { code: 'EMERGENCY_CARE', title: 'Emergency medical care' },
      { code: 'SERVICE_CONTRACT', title: 'Performing a service contract with the person' },
      { code: 'FRAUD_PREVENTION', title: 'Preventing benefit fraud' },
    ),
  );
  const address = (id: string, purpose: string, lawfulBasis: object, extra: object = {}) => ({
    id, consumer: 'MOPH', provider: 'DOPA', recordType: 'dopa.house-registration.address', purposes: [purpose],
    fields: ['province', 'postalCode'], validFrom: '2026-01-01T00:00:00+07:00', lawfulBasis, ...extra,
  });
  await edit('agreements.json', (j) =>
    j.agreements.push(
      address('T-research', 'STATISTICS', { basis: 'research-statistics', statute: 'PDPA s.24(1); Statistics Act B.E. 2550' }),
      address('T-vital', 'EMERGENCY_CARE', { basis: 'vital-interest', statute: 'PDPA s.24(2)' }),
      address('T-contract', 'SERVICE_CONTRACT', { basis: 'contract', statute: 'PDPA s.24(3)' }),
      address('T-legitimate', 'FRAUD_PREVENTION', { basis: 'legitimate-interest', statute: 'PDPA s.24(5)' }),
      address('T-future', 'IDENTITY_VERIFICATION', { basis: 'public-task', statute: 'PDPA s.24(4)' }, { validFrom: '2027-06-01T00:00:00+07:00' }),
      { id: 'T-sensitive-no-exception', consumer: 'FPO', provider: 'MOPH', recordType: 'moph.immunization.history', purposes: ['WELFARE_ELIGIBILITY'], fields: ['immunizations'], validFrom: '2026-01-01T00:00:00+07:00', lawfulBasis: { basis: 'public-task', statute: 'PDPA s.24(4)' } },
    ),
  );
  policy = await loadPolicy(policiesDir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const consent = (over: Partial<ConsentState>): ConsentState => ({
  consentId: 'c-ok', subjectRef: ALICE, consumer: 'MOPH', items: [{ recordType: 'rd.income-tax.annual-summary', provider: 'RD' }],
  purposes: ['PUBLIC_HEALTH_SERVICE'], validFrom: NOW - DAY, validTo: NOW + 30 * DAY, dataLifeDays: 30,
  collection: { method: 'mobile-app', collectedAt: NOW - DAY }, noticeVersion: 'moph-income-v3', grantedAt: NOW - DAY, grantedBy: 'DGA', uses: 0, ...over,
});

const CONSENTS: ConsentState[] = [
  consent({}),
  consent({ consentId: 'c-revoked', revokedAt: NOW - 1000, revokedBy: 'DGA' }),
  consent({ consentId: 'c-expired', validTo: NOW - 1 }),
  consent({ consentId: 'c-future', validFrom: NOW + DAY }),
  consent({ consentId: 'c-used-up', maxUses: 2, uses: 2 }),
  consent({ consentId: 'c-one-left', maxUses: 2, uses: 1 }),
  consent({ consentId: 'c-other-purpose', purposes: ['WELFARE_ELIGIBILITY'] }),
  consent({ consentId: 'c-other-consumer', consumer: 'FPO' }),
  consent({ consentId: 'c-other-type', items: [{ recordType: 'dopa.civil-registration.person', provider: 'DOPA' }] }),
  consent({ consentId: 'c-health', consumer: 'BMA', items: [{ recordType: 'moph.immunization.history', provider: 'MOPH' }], explicit: true }),
  consent({ consentId: 'c-health-implicit', consumer: 'BMA', items: [{ recordType: 'moph.immunization.history', provider: 'MOPH' }], explicit: false }),
  // Granted before consents recorded whether they were explicit.
  consent({ consentId: 'c-health-unrecorded', consumer: 'BMA', items: [{ recordType: 'moph.immunization.history', provider: 'MOPH' }] }),
];

const view = (current = true): ConsentLookup => ({ isCurrent: () => current, get: (id) => CONSENTS.find((c) => c.consentId === id) });

type Case = [name: string, input: Partial<DecisionInput>, expected: string, options?: { stale?: boolean }];
const income = { consumer: 'MOPH', recordType: 'rd.income-tax.annual-summary', purpose: 'PUBLIC_HEALTH_SERVICE', subjectRef: ALICE };
const health = { consumer: 'BMA', recordType: 'moph.immunization.history', subjectRef: ALICE };
const address = { consumer: 'MOPH', recordType: 'dopa.house-registration.address' };

const CASES: Case[] = [
  // s.24 bases and consent (s.19), one each
  ['public task (s.24(4))', { consumer: 'FPO', recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY' }, 'PERMIT_LAWFUL_BASIS'],
  ['legal obligation (s.24(6))', { consumer: 'RD', recordType: 'dopa.civil-registration.person', purpose: 'TAX_ASSESSMENT' }, 'PERMIT_LAWFUL_BASIS'],
  ['research and statistics (s.24(1))', { ...address, purpose: 'STATISTICS' }, 'PERMIT_LAWFUL_BASIS'],
  ['vital interest (s.24(2))', { ...address, purpose: 'EMERGENCY_CARE' }, 'PERMIT_LAWFUL_BASIS'],
  ['contract (s.24(3))', { ...address, purpose: 'SERVICE_CONTRACT' }, 'PERMIT_LAWFUL_BASIS'],
  ['legitimate interest (s.24(5))', { ...address, purpose: 'FRAUD_PREVENTION' }, 'PERMIT_LAWFUL_BASIS'],
  ['consent that covers the request (s.19)', { ...income, consentId: 'c-ok' }, 'PERMIT_CONSENT'],
  ['consent with one use left', { ...income, consentId: 'c-one-left' }, 'PERMIT_CONSENT'],
  // sensitive data (s.26)
  ['sensitive data with explicit consent', { ...health, purpose: 'PUBLIC_HEALTH_SERVICE', consentId: 'c-health' }, 'PERMIT_CONSENT'],
  ['sensitive data with a consent that was not explicit', { ...health, purpose: 'PUBLIC_HEALTH_SERVICE', consentId: 'c-health-implicit' }, 'ERR_CONSENT_NOT_EXPLICIT'],
  ['sensitive data with a consent that does not say whether it was explicit', { ...health, purpose: 'PUBLIC_HEALTH_SERVICE', consentId: 'c-health-unrecorded' }, 'ERR_CONSENT_NOT_EXPLICIT'],
  ['general data with a consent that was not explicit', { ...income, consentId: 'c-ok' }, 'PERMIT_CONSENT'],
  ['sensitive data without consent', { ...health, purpose: 'PUBLIC_HEALTH_SERVICE' }, 'ERR_CONSENT_REQUIRED'],
  ['sensitive data under a s.26(5)(b) exception, no consent', { ...health, purpose: 'DISEASE_CONTROL' }, 'PERMIT_S26_EXCEPTION'],
  ['sensitive data on a s.24 basis without a s.26 exception', { consumer: 'FPO', recordType: 'moph.immunization.history', purpose: 'WELFARE_ELIGIBILITY' }, 'ERR_SENSITIVE_NO_EXCEPTION'],
  ['sensitive data with another consumer’s consent', { ...health, purpose: 'PUBLIC_HEALTH_SERVICE', consentId: 'c-ok' }, 'ERR_CONSENT_WRONG_CONSUMER'],
  // consent states and scope
  ['consent basis without a consent id', { ...income }, 'ERR_CONSENT_REQUIRED'],
  ['unknown consent id', { ...income, consentId: 'c-nope' }, 'ERR_CONSENT_NOT_FOUND'],
  ['consent given by another person', { ...income, subjectRef: BOB, consentId: 'c-ok' }, 'ERR_CONSENT_SUBJECT_MISMATCH'],
  ['consent revoked', { ...income, consentId: 'c-revoked' }, 'ERR_CONSENT_REVOKED'],
  ['consent expired', { ...income, consentId: 'c-expired' }, 'ERR_CONSENT_EXPIRED'],
  ['consent not yet valid', { ...income, consentId: 'c-future' }, 'ERR_CONSENT_NOT_YET_VALID'],
  ['consent uses exhausted', { ...income, consentId: 'c-used-up' }, 'ERR_CONSENT_USES_EXHAUSTED'],
  ['consent for another purpose', { ...income, consentId: 'c-other-purpose' }, 'ERR_CONSENT_WRONG_PURPOSE'],
  ['consent for another consumer', { ...income, consentId: 'c-other-consumer' }, 'ERR_CONSENT_WRONG_CONSUMER'],
  ['consent for another record type', { ...income, consentId: 'c-other-type' }, 'ERR_CONSENT_WRONG_RECORD_TYPE'],
  ['consent view not caught up', { ...income, consentId: 'c-ok' }, 'ERR_CONSENT_VIEW_STALE', { stale: true }],
  ['a consent id on a s.24 request changes nothing', { consumer: 'FPO', recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY', consentId: 'c-revoked' }, 'PERMIT_LAWFUL_BASIS'],
  // agreements
  ['agreement not yet in force', { ...address, purpose: 'IDENTITY_VERIFICATION', now: NOW }, 'ERR_AGREEMENT_NOT_IN_FORCE'],
  ['agreement expired', { consumer: 'BMA', recordType: 'fpo.welfare-card.status', purpose: 'LOCAL_SERVICE_REGISTRATION', now: Date.parse('2028-01-01T00:00:00+07:00') }, 'ERR_AGREEMENT_NOT_IN_FORCE'],
  ['no agreement', { consumer: 'BMA', recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY' }, 'ERR_NO_AGREEMENT'],
  ['purpose outside the agreement', { consumer: 'FPO', recordType: 'dopa.civil-registration.person', purpose: 'TAX_ASSESSMENT' }, 'ERR_PURPOSE_NOT_AGREED'],
  ['unknown purpose', { consumer: 'FPO', recordType: 'dopa.civil-registration.person', purpose: 'MARKETING' }, 'ERR_PURPOSE_NOT_AGREED'],
  ['fields beyond the agreement (s.22 minimisation)', { consumer: 'FPO', recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY', fields: ['gender'] }, 'ERR_FIELDS_NOT_ALLOWED'],
  ['an agency without the consumer role', { consumer: 'DGA', recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY' }, 'ERR_NOT_CONSUMER'],
  ['unknown record type', { consumer: 'FPO', recordType: 'dopa.criminal-record', purpose: 'WELFARE_ELIGIBILITY' }, 'ERR_UNKNOWN_RECORD_TYPE'],
];

describe('decision scenarios (default deny, PDPA s.19/s.24/s.26)', () => {
  it(`covers at least 30 scenarios`, () => expect(CASES.length).toBeGreaterThanOrEqual(30));

  it.each(CASES)('%s → %s', (_name, over, expected, options) => {
    const input: DecisionInput = { consumer: '', recordType: '', purpose: '', fields: [], now: NOW, ...over };
    const decision = decide(policy, input, view(!options?.stale));
    expect(decision.effect === 'permit' ? decision.reason : decision.reason).toBe(expected);
    // Every decision names its rule and the policy entry it rests on.
    expect(decision.rule).toMatch(/^[a-z0-9-]+$/);
    expect(decision.source).toMatch(/^(agreements|record-types|agencies)\.json/);
  });

  it('names the deciding agreement entry and narrows to the requested fields', () => {
    const decision = decide(policy, { consumer: 'FPO', recordType: 'dopa.civil-registration.person', purpose: 'WELFARE_ELIGIBILITY', fields: ['lifeStatus', 'lifeStatus'], now: NOW });
    expect(decision).toMatchObject({ effect: 'permit', source: 'agreements.json#/agreements/0', rule: 's24-lawful-basis', fields: ['lifeStatus'], provider: 'DOPA' });
  });

  it('refuses a policy whose s.24 agreement cites no statute', async () => {
    const file = join(policy.dir, 'agreements.json');
    const j = JSON.parse(await readFile(file, 'utf8'));
    delete j.agreements[0].lawfulBasis.statute;
    await writeFile(file, JSON.stringify(j));
    await expect(loadPolicy(policy.dir)).rejects.toMatchObject({ issues: expect.arrayContaining([expect.objectContaining({ path: '/agreements/0/lawfulBasis', reason: expect.stringContaining('statute') })]) });
  });
});
