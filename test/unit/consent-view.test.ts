import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { grantedEvent, type RevokedEvent, type UsedEvent } from '../../broker/consent/consent-events.ts';
import { ConsentView } from '../../broker/consent/consent-view.ts';
import type { ConsentRecord } from '../../policies/consent.types.ts';

const consent = (over: Partial<ConsentRecord> = {}): ConsentRecord => ({
  consentId: randomUUID(),
  subjectRef: 'a'.repeat(43),
  consumer: 'MOPH',
  items: [{ recordType: 'rd.income-tax.annual-summary', provider: 'RD' }],
  purposes: ['PUBLIC_HEALTH_SERVICE'],
  validFrom: 1_000,
  validTo: 10_000_000,
  dataLifeDays: 30,
  collection: { method: 'mobile-app', collectedAt: 1_000 },
  noticeVersion: 'v1',
  grantedAt: 1_000,
  grantedBy: 'DGA',
  ...over,
});
const used = (consentId: string): UsedEvent => ({ v: 1, eventId: randomUUID(), type: 'used', at: 2_000, consentId, exchangeId: randomUUID() });
const revoked = (consentId: string, by = 'DGA'): RevokedEvent => ({ v: 1, eventId: randomUUID(), type: 'revoked', at: 3_000, consentId, by });

describe('consent uses in log order (issue 11: maxUses is never exceeded)', () => {
  it('counts uses up to maxUses and refuses the ones beyond, however many were written', () => {
    const view = new ConsentView();
    const c = consent({ maxUses: 2 });
    view.apply(grantedEvent(c));
    const verdicts = Array.from({ length: 5 }, () => view.apply(used(c.consentId)));
    expect(verdicts).toEqual([
      { counted: true },
      { counted: true },
      { counted: false, reason: 'ERR_CONSENT_USES_EXHAUSTED' },
      { counted: false, reason: 'ERR_CONSENT_USES_EXHAUSTED' },
      { counted: false, reason: 'ERR_CONSENT_USES_EXHAUSTED' },
    ]);
    expect(view.get(c.consentId)?.uses).toBe(2);
  });

  it('refuses a use after a withdrawal in the log, and counts one before it', () => {
    const view = new ConsentView();
    const c = consent();
    view.apply(grantedEvent(c));
    expect(view.apply(used(c.consentId))).toEqual({ counted: true });
    view.apply(revoked(c.consentId));
    expect(view.apply(used(c.consentId))).toEqual({ counted: false, reason: 'ERR_CONSENT_REVOKED' });
    expect(view.get(c.consentId)).toMatchObject({ uses: 1, revokedAt: 3_000 });
  });

  it('judges by the log, not by what this node applied ahead of it', () => {
    const view = new ConsentView();
    const c = consent();
    view.apply(grantedEvent(c));
    // This node is withdrawing the consent: in force here at once…
    const mine = revoked(c.consentId, 'DGA');
    view.applyLocal(mine);
    expect(view.get(c.consentId)?.revokedAt).toBe(3_000);
    // …but another node's use and withdrawal came first in the log: every node counts that use and records that withdrawal.
    expect(view.apply(used(c.consentId))).toEqual({ counted: true });
    view.apply({ ...revoked(c.consentId, 'MOPH'), at: 2_500 });
    view.apply(mine);
    expect(view.get(c.consentId)).toMatchObject({ uses: 1, revokedAt: 2_500, revokedBy: 'MOPH' });
  });

  it('refuses a use of a consent the log has not granted, even one granted here ahead of the log', () => {
    const view = new ConsentView();
    const c = consent();
    expect(view.apply(used(c.consentId))).toEqual({ counted: false, reason: 'ERR_CONSENT_NOT_FOUND' });
    view.applyLocal(grantedEvent(c));
    expect(view.apply(used(c.consentId))).toEqual({ counted: false, reason: 'ERR_CONSENT_NOT_FOUND' });
    expect(view.get(c.consentId)?.uses).toBe(0);
  });

  it('counts a replayed use (the same event again) once, and gives a replay its first verdict', () => {
    const view = new ConsentView();
    const c = consent({ maxUses: 2 });
    const early = used(c.consentId);
    // Refused while the consent was not yet on the log: a copy after the grant stays refused.
    expect(view.apply(early)).toEqual({ counted: false, reason: 'ERR_CONSENT_NOT_FOUND' });
    view.apply(grantedEvent(c));
    expect(view.apply(early)).toEqual({ counted: false, reason: 'ERR_CONSENT_NOT_FOUND' });
    const once = used(c.consentId);
    expect(view.apply(once)).toEqual({ counted: true });
    expect(view.apply(once)).toEqual({ counted: true });
    expect(view.apply(once)).toEqual({ counted: true });
    expect(view.get(c.consentId)?.uses).toBe(1);
    expect(view.apply(used(c.consentId))).toEqual({ counted: true });
    expect(view.get(c.consentId)?.uses).toBe(2);
  });

  it('a grant whose write failed is forgotten; a withdrawal whose write failed stays in force here', () => {
    const view = new ConsentView();
    const lost = grantedEvent(consent());
    view.applyLocal(lost);
    view.undoLocal(lost);
    expect(view.get(lost.consent.consentId)).toBeUndefined();
    expect(view.forSubject(lost.consent.subjectRef)).toEqual([]);
    const kept = grantedEvent(consent());
    view.apply(kept);
    const withdrawal = revoked(kept.consent.consentId);
    view.applyLocal(withdrawal);
    view.undoLocal(withdrawal);
    expect(view.get(kept.consent.consentId)?.revokedAt).toBe(3_000);
  });
});
