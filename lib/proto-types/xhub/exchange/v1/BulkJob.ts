// Original file: proto/xhub/exchange/v1/exchange.proto


export interface BulkJob {
  /**
   * The caller's id for the job (1-128 characters): the idempotency key of every
   * batch in it. The same id from the same agency never causes a second transfer.
   */
  'jobId'?: (string);
  'recordType'?: (string);
  'purpose'?: (string);
  /**
   * Optional subset of the fields the agreement allows; empty asks for all of them.
   */
  'fields'?: (string)[];
  /**
   * Items per batch, 1 to 1000; 0 means 256. Part of the job: a resume must use the same.
   */
  'batchSize'?: (number);
}

export interface BulkJob__Output {
  /**
   * The caller's id for the job (1-128 characters): the idempotency key of every
   * batch in it. The same id from the same agency never causes a second transfer.
   */
  'jobId': (string);
  'recordType': (string);
  'purpose': (string);
  /**
   * Optional subset of the fields the agreement allows; empty asks for all of them.
   */
  'fields': (string)[];
  /**
   * Items per batch, 1 to 1000; 0 means 256. Part of the job: a resume must use the same.
   */
  'batchSize': (number);
}
