// Original file: proto/xhub/exchange/v1/exchange.proto


export interface BulkProgress {
  /**
   * Items received from the caller so far, and items answered (any status).
   */
  'received'?: (number);
  'answered'?: (number);
  'delivered'?: (number);
  'failed'?: (number);
}

export interface BulkProgress__Output {
  /**
   * Items received from the caller so far, and items answered (any status).
   */
  'received': (number);
  'answered': (number);
  'delivered': (number);
  'failed': (number);
}
