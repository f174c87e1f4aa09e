import type { ConsentRecord__Output } from '../../lib/proto-types/xhub/consent/v1/ConsentRecord.ts';
import { consentStatus, type ConsentState } from '../../policies/consent.types.ts';

/** A consent as the Consent service returns it: the contract's ConsentRecord (generated from proto/). */
export type ConsentWire = ConsentRecord__Output;

const iso = (ms: number | undefined) => (ms === undefined ? '' : new Date(ms).toISOString());

export function toWire(c: ConsentState, now = Date.now()): ConsentWire {
  return {
    consentId: c.consentId,
    subjectRef: c.subjectRef,
    consumer: c.consumer,
    items: c.items,
    purposes: c.purposes,
    validFrom: iso(c.validFrom),
    validTo: iso(c.validTo),
    dataLifeDays: c.dataLifeDays,
    maxUses: c.maxUses ?? 0,
    uses: c.uses,
    collection: { method: c.collection.method, collectedAt: iso(c.collection.collectedAt), reference: c.collection.reference ?? '' },
    noticeVersion: c.noticeVersion,
    status: consentStatus(c, now),
    grantedAt: iso(c.grantedAt),
    grantedBy: c.grantedBy,
    revokedAt: iso(c.revokedAt),
    revokedBy: c.revokedBy ?? '',
    explicit: c.explicit === true,
  };
}
