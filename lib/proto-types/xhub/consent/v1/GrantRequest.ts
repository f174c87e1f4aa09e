// Original file: proto/xhub/consent/v1/consent.proto

import type { ConsentItem as _xhub_consent_v1_ConsentItem, ConsentItem__Output as _xhub_consent_v1_ConsentItem__Output } from '../../../xhub/consent/v1/ConsentItem.ts';
import type { Collection as _xhub_consent_v1_Collection, Collection__Output as _xhub_consent_v1_Collection__Output } from '../../../xhub/consent/v1/Collection.ts';

export interface GrantRequest {
  /**
   * The person giving consent: Thai 13-digit citizen id.
   */
  'subject'?: (string);
  /**
   * The agency that may receive the data.
   */
  'consumer'?: (string);
  'items'?: (_xhub_consent_v1_ConsentItem)[];
  /**
   * Purpose codes; a consent is specific to its purposes.
   */
  'purposes'?: (string)[];
  'validFrom'?: (string);
  'validTo'?: (string);
  /**
   * How long the consumer may keep what it receives.
   */
  'dataLifeDays'?: (number);
  /**
   * Transfers allowed; 0 means no limit within the validity window.
   */
  'maxUses'?: (number);
  'collection'?: (_xhub_consent_v1_Collection | null);
  /**
   * Version of the notice text shown to the person.
   */
  'noticeVersion'?: (string);
  /**
   * True when the person gave explicit consent (an affirmative act recorded as
   * `collection` says, PDPA s.19 para. 2). A sensitive record type (s.26) is
   * released on consent only when this is true.
   */
  'explicit'?: (boolean);
}

export interface GrantRequest__Output {
  /**
   * The person giving consent: Thai 13-digit citizen id.
   */
  'subject': (string);
  /**
   * The agency that may receive the data.
   */
  'consumer': (string);
  'items': (_xhub_consent_v1_ConsentItem__Output)[];
  /**
   * Purpose codes; a consent is specific to its purposes.
   */
  'purposes': (string)[];
  'validFrom': (string);
  'validTo': (string);
  /**
   * How long the consumer may keep what it receives.
   */
  'dataLifeDays': (number);
  /**
   * Transfers allowed; 0 means no limit within the validity window.
   */
  'maxUses': (number);
  'collection': (_xhub_consent_v1_Collection__Output | null);
  /**
   * Version of the notice text shown to the person.
   */
  'noticeVersion': (string);
  /**
   * True when the person gave explicit consent (an affirmative act recorded as
   * `collection` says, PDPA s.19 para. 2). A sensitive record type (s.26) is
   * released on consent only when this is true.
   */
  'explicit': (boolean);
}
