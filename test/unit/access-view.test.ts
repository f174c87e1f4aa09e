import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessView } from '../../broker/access-log/access-view.ts';
import { isDeferred } from '../../broker/access-log/deferral.ts';
import { disclosureOf } from '../../broker/audit/disclosure.ts';
import type { AuditEntry } from '../../broker/audit/audit-entry.types.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { materialiseDemo } from '../../cli/demo-setup.ts';
import { loadPolicy } from '../../policies/policy-loader.ts';
import type { Policy } from '../../policies/policy.types.ts';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-01T03:00:00Z');
let n = 0;
const entry = (fields: Partial<AuditEntry>): { index: number; entry: AuditEntry } => ({
  index: n++,
  entry: { v: 1, id: `e${n}`, at: T0, nodeId: 'node-1', kid: 'k', sig: 's', kind: 'delivered', ...fields },
});

describe("the citizen's access log", () => {
  let dir: string;
  let policy: Policy;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xhub-access-view-'));
    policy = await loadPolicy((await materialiseDemo(dir)).policiesDir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("a deferral runs from the delivery for the agreement's days, and ends exactly then", async () => {
    const investigation = policy.agreements.find((a) => a.id === 'RD-DOPA-address-investigation-2026')!;
    expect(disclosureOf(investigation.deferDisclosure, T0)).toEqual({
      discloseAfter: T0 + 180 * DAY,
      deferral: investigation.deferDisclosure!.citation,
    });
    expect(
      disclosureOf(policy.agreements.find((a) => a.id === 'RD-DOPA-address-2026')!.deferDisclosure, T0),
    ).toBeUndefined();
    expect(isDeferred({ discloseAfter: T0 + DAY }, T0 + DAY - 1)).toBe(true);
    expect(isDeferred({ discloseAfter: T0 + DAY }, T0 + DAY)).toBe(false);
    expect(isDeferred({}, T0)).toBe(false);
  });

  it("lists deliveries and replays with the decision's basis, and leaves out deferred ones without a trace", async () => {
    const log = [
      entry({ kind: 'request-received', exchangeId: 'x1' }),
      entry({
        kind: 'decision',
        exchangeId: 'x1',
        decision: 'permit',
        lawfulBasis: 'public-task',
        agreementId: 'FPO-DOPA-person-2026',
      }),
      entry({
        kind: 'delivered',
        exchangeId: 'x1',
        consumer: 'FPO',
        provider: 'DOPA',
        recordType: 'dopa.civil-registration.person',
        purpose: 'WELFARE_ELIGIBILITY',
        fields: ['firstNameTh'],
      }),
      entry({
        kind: 'decision',
        exchangeId: 'x2',
        decision: 'permit',
        lawfulBasis: 'legal-obligation',
        agreementId: 'RD-DOPA-address-investigation-2026',
      }),
      entry({
        kind: 'delivered',
        exchangeId: 'x2',
        consumer: 'RD',
        provider: 'DOPA',
        recordType: 'dopa.house-registration.address',
        purpose: 'TAX_INVESTIGATION',
        discloseAfter: T0 + 180 * DAY,
        deferral: 'Revenue Code',
      }),
      entry({
        kind: 'replayed',
        exchangeId: 'x1',
        consumer: 'FPO',
        provider: 'DOPA',
        recordType: 'dopa.civil-registration.person',
        purpose: 'WELFARE_ELIGIBILITY',
        lawfulBasis: 'public-task',
        agreementId: 'FPO-DOPA-person-2026',
      }),
    ];
    const before = accessView(log, policy, T0 + DAY).map((l) => l.line);
    expect(before.map((l) => [l.kind, l.exchangeId, l.lawfulBasis])).toEqual([
      ['delivered', 'x1', 'public-task'],
      ['replayed', 'x1', 'public-task'],
    ]);
    expect(before[0]).toMatchObject({
      consumer: 'FPO',
      provider: 'DOPA',
      statute: expect.stringContaining('PDPA'),
      fields: ['firstNameTh'],
      at: '2026-11-01T03:00:00.000Z',
    });
    expect(JSON.stringify(before)).not.toMatch(/x2|Revenue Code|TAX_INVESTIGATION/);
    const after = accessView(log, policy, T0 + 180 * DAY).map((l) => l.line);
    expect(after.map((l) => l.exchangeId)).toEqual(['x1', 'x2', 'x1']);
    expect(after[1]).toMatchObject({ lawfulBasis: 'legal-obligation', purpose: 'TAX_INVESTIGATION' });
  });

  it('keeps a retry of a deferred delivery back too, even one re-decided under an agreement that no longer defers', () => {
    const log = [
      entry({
        kind: 'decision',
        exchangeId: 'x3',
        decision: 'permit',
        lawfulBasis: 'legal-obligation',
        agreementId: 'RD-DOPA-address-investigation-2026',
      }),
      entry({
        kind: 'delivered',
        exchangeId: 'x3',
        consumer: 'RD',
        provider: 'DOPA',
        purpose: 'TAX_INVESTIGATION',
        discloseAfter: T0 + 180 * DAY,
        deferral: 'Revenue Code',
      }),
      // The deferral was dropped from the policy since: the retry's own entry carries none.
      entry({
        kind: 'replayed',
        at: T0 + DAY,
        exchangeId: 'x3',
        consumer: 'RD',
        provider: 'DOPA',
        purpose: 'TAX_INVESTIGATION',
        lawfulBasis: 'legal-obligation',
        agreementId: 'RD-DOPA-address-investigation-2026',
      }),
      // A retry deferred further than its delivery: the delivery shows at its own date, the retry at its.
      entry({
        kind: 'replayed',
        at: T0 + 2 * DAY,
        exchangeId: 'x3',
        consumer: 'RD',
        provider: 'DOPA',
        purpose: 'TAX_INVESTIGATION',
        discloseAfter: T0 + 182 * DAY,
        deferral: 'Revenue Code',
      }),
    ];
    const shown = (now: number) => accessView(log, policy, now).map((l) => [l.line.kind, l.line.at]);
    expect(shown(T0 + 180 * DAY - 1)).toEqual([]);
    expect(shown(T0 + 180 * DAY)).toEqual([
      ['delivered', new Date(T0).toISOString()],
      ['replayed', new Date(T0 + DAY).toISOString()],
    ]);
    expect(shown(T0 + 182 * DAY)).toHaveLength(3);
  });
});
