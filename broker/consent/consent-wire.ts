import { consentStatus, type ConsentState, type CollectionMethod } from '../../policies/consent.types.ts';

/** A consent as the Consent service returns it (proto3 JSON-ish, times as RFC 3339). */
export interface ConsentWire {
  consentId: string;
  subjectRef: string;
  consumer: string;
  items: { recordType: string; provider: string }[];
  purposes: string[];
  validFrom: string;
  validTo: string;
  dataLifeDays: number;
  maxUses: number;
  uses: number;
  collection: { method: CollectionMethod; collectedAt: string; reference: string };
  noticeVersion: string;
  status: string;
  grantedAt: string;
  grantedBy: string;
  revokedAt: string;
  revokedBy: string;
}

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
  };
}
