import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { materialiseDemo } from '../../cli/demo-setup.ts';
import { decide, type DecisionInput } from '../../policies/decide.ts';
import { loadPolicy } from '../../policies/policy-loader.ts';
import type { Policy } from '../../policies/policy.types.ts';

const NOW = Date.parse('2026-11-21T10:00:00+07:00');
let dir: string;
let policy: Policy;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xhub-decide-'));
  policy = await loadPolicy((await materialiseDemo(dir)).policiesDir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const input = (over: Partial<DecisionInput>): DecisionInput => ({
  consumer: 'FPO',
  recordType: 'dopa.civil-registration.person',
  purpose: 'WELFARE_ELIGIBILITY',
  fields: [],
  now: NOW,
  ...over,
});

describe('data-sharing decision (default deny)', () => {
  it('permits under an agreement in force and gives the agreement fields when none are asked', () => {
    const permit = decide(policy, input({}));
    expect(permit.agreement.id).toBe('FPO-DOPA-person-2026');
    expect(permit.provider).toBe('DOPA');
    expect(permit.fields).toEqual(['titleTh', 'firstNameTh', 'lastNameTh', 'dateOfBirth', 'lifeStatus']);
  });

  it('narrows to the requested subset', () => {
    expect(decide(policy, input({ fields: ['lifeStatus', 'lifeStatus'] })).fields).toEqual(['lifeStatus']);
  });

  it.each([
    ['a consumer without an agreement', { consumer: 'BMA' }, 'ERR_NO_AGREEMENT'],
    ['an agency that is not a consumer', { consumer: 'NSO' }, 'ERR_NOT_CONSUMER'],
    ['a purpose outside the agreement', { purpose: 'TAX_ASSESSMENT' }, 'ERR_PURPOSE_NOT_AGREED'],
    ['a field beyond the agreement', { fields: ['gender'] }, 'ERR_FIELDS_NOT_ALLOWED'],
    ['a time before the agreement starts', { now: Date.parse('2025-12-31T00:00:00+07:00') }, 'ERR_AGREEMENT_NOT_IN_FORCE'],
    ['a time after the agreement ends', { now: Date.parse('2029-01-01T00:00:00+07:00') }, 'ERR_AGREEMENT_NOT_IN_FORCE'],
    ['an unknown record type', { recordType: 'dopa.nope' }, 'ERR_UNKNOWN_RECORD_TYPE'],
  ])('denies %s', (_name, over, code) => {
    expect(() => decide(policy, input(over))).toThrow(expect.objectContaining({ code }));
  });
});
