// Original file: proto/xhub/consent/v1/consent.proto


export interface Collection {
  /**
   * mobile-app, web, paper-form, in-person or call-centre.
   */
  'method'?: (string);
  'collectedAt'?: (string);
  /**
   * The consent manager's own reference for the interaction.
   */
  'reference'?: (string);
}

export interface Collection__Output {
  /**
   * mobile-app, web, paper-form, in-person or call-centre.
   */
  'method': (string);
  'collectedAt': (string);
  /**
   * The consent manager's own reference for the interaction.
   */
  'reference': (string);
}
