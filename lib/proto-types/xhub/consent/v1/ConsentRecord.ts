// Original file: proto/xhub/consent/v1/consent.proto

import type { ConsentItem as _xhub_consent_v1_ConsentItem, ConsentItem__Output as _xhub_consent_v1_ConsentItem__Output } from '../../../xhub/consent/v1/ConsentItem.ts';
import type { Collection as _xhub_consent_v1_Collection, Collection__Output as _xhub_consent_v1_Collection__Output } from '../../../xhub/consent/v1/Collection.ts';

export interface ConsentRecord {
  'consentId'?: (string);
  /**
   * Keyed pseudonym of the person (the hub never stores the citizen id with a consent).
   */
  'subjectRef'?: (string);
  'consumer'?: (string);
  'items'?: (_xhub_consent_v1_ConsentItem)[];
  'purposes'?: (string)[];
  'validFrom'?: (string);
  'validTo'?: (string);
  'dataLifeDays'?: (number);
  'maxUses'?: (number);
  'uses'?: (number);
  'collection'?: (_xhub_consent_v1_Collection | null);
  'noticeVersion'?: (string);
  /**
   * ACTIVE, REVOKED or EXPIRED.
   */
  'status'?: (string);
  'grantedAt'?: (string);
  'grantedBy'?: (string);
  'revokedAt'?: (string);
  'revokedBy'?: (string);
  /**
   * Whether the consent was explicit; false for consents granted before the field existed.
   */
  'explicit'?: (boolean);
}

export interface ConsentRecord__Output {
  'consentId': (string);
  /**
   * Keyed pseudonym of the person (the hub never stores the citizen id with a consent).
   */
  'subjectRef': (string);
  'consumer': (string);
  'items': (_xhub_consent_v1_ConsentItem__Output)[];
  'purposes': (string)[];
  'validFrom': (string);
  'validTo': (string);
  'dataLifeDays': (number);
  'maxUses': (number);
  'uses': (number);
  'collection': (_xhub_consent_v1_Collection__Output | null);
  'noticeVersion': (string);
  /**
   * ACTIVE, REVOKED or EXPIRED.
   */
  'status': (string);
  'grantedAt': (string);
  'grantedBy': (string);
  'revokedAt': (string);
  'revokedBy': (string);
  /**
   * Whether the consent was explicit; false for consents granted before the field existed.
   */
  'explicit': (boolean);
}
