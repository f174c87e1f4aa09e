import type { SigningKey } from '../../lib/crypto/keys.ts';
import { signJson } from '../../lib/envelope/jws.ts';
import type { ConsentRecord } from '../../policies/consent.types.ts';
import type { Policy } from '../../policies/policy.types.ts';

export const RECEIPT_TYP = 'xhub-consent-receipt+jws';

/**
 * A consent receipt for the person and the consent manager, with fields after
 * the Kantara Consent Receipt v1.1 / ISO/IEC TS 27560 record, signed with the
 * hub key so anyone holding the hub's JWKS can check it.
 */
export function signReceipt(consent: ConsentRecord, policy: Policy, hubKey: SigningKey): Promise<string> {
  const consumer = policy.agencies.get(consent.consumer);
  const sensitive = consent.items
    .map((i) => policy.recordTypes.get(i.recordType)?.sensitivity)
    .flatMap((s) => (s?.class === 'sensitive' ? [s.category] : []));
  const receipt = {
    version: 'KI-CR-v1.1.0',
    jurisdiction: 'TH',
    lawfulBasis: 'PDPA B.E. 2562 s.19 (consent)',
    consentTimestamp: Math.floor(consent.grantedAt / 1000),
    collectionMethod: consent.collection.method,
    collectedAt: new Date(consent.collection.collectedAt).toISOString(),
    consentReceiptID: consent.consentId,
    piiPrincipalId: consent.subjectRef,
    piiControllers: [{ piiController: consumer?.name ?? consent.consumer, piiControllerId: consent.consumer }],
    notice: { version: consent.noticeVersion },
    services: consent.items.map((item) => ({
      service: item.recordType,
      purposes: consent.purposes.map((purpose) => ({
        purpose,
        purposeCategory: [policy.purposes.get(purpose)?.title ?? purpose],
        consentType: consent.explicit === true ? 'EXPLICIT' : 'IMPLICIT',
        piiCategory: [item.recordType],
        primaryPurpose: true,
        termination: new Date(consent.validTo).toISOString(),
        thirdPartyDisclosure: true,
        thirdPartyName: item.provider,
      })),
    })),
    sensitive: sensitive.length > 0,
    spiCat: [...new Set(sensitive)],
    validFrom: new Date(consent.validFrom).toISOString(),
    validTo: new Date(consent.validTo).toISOString(),
    dataLifeDays: consent.dataLifeDays,
    ...(consent.maxUses !== undefined ? { maxUses: consent.maxUses } : {}),
    grantedBy: consent.grantedBy,
    withdrawal: 'Withdraw at any time through the consent manager; withdrawal takes effect within one second across the hub.',
  };
  return signJson(receipt, hubKey, RECEIPT_TYP);
}
