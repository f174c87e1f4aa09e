// Original file: proto/xhub/access/v1/access.proto


export interface ListForCitizenRequest {
  /**
   * The citizen id (13 digits, valid check digit); the node pseudonymises it.
   */
  'subject'?: (string);
  /**
   * RFC 3339 times, inclusive from, exclusive to; optional.
   */
  'from'?: (string);
  'to'?: (string);
  /**
   * 1 to 500; default 100.
   */
  'pageSize'?: (number);
  'pageToken'?: (string);
}

export interface ListForCitizenRequest__Output {
  /**
   * The citizen id (13 digits, valid check digit); the node pseudonymises it.
   */
  'subject': (string);
  /**
   * RFC 3339 times, inclusive from, exclusive to; optional.
   */
  'from': (string);
  'to': (string);
  /**
   * 1 to 500; default 100.
   */
  'pageSize': (number);
  'pageToken': (string);
}
