// Original file: proto/xhub/exchange/v1/exchange.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { BulkRequest as _xhub_exchange_v1_BulkRequest, BulkRequest__Output as _xhub_exchange_v1_BulkRequest__Output } from '../../../xhub/exchange/v1/BulkRequest.ts';
import type { BulkResponse as _xhub_exchange_v1_BulkResponse, BulkResponse__Output as _xhub_exchange_v1_BulkResponse__Output } from '../../../xhub/exchange/v1/BulkResponse.ts';
import type { RequestRecordRequest as _xhub_exchange_v1_RequestRecordRequest, RequestRecordRequest__Output as _xhub_exchange_v1_RequestRecordRequest__Output } from '../../../xhub/exchange/v1/RequestRecordRequest.ts';
import type { RequestRecordResponse as _xhub_exchange_v1_RequestRecordResponse, RequestRecordResponse__Output as _xhub_exchange_v1_RequestRecordResponse__Output } from '../../../xhub/exchange/v1/RequestRecordResponse.ts';

export interface ExchangeClient extends grpc.Client {
  /**
   * Asks the provider of `record_type` for one citizen's record, for `purpose`.
   */
  RequestRecord(argument: _xhub_exchange_v1_RequestRecordRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_exchange_v1_RequestRecordResponse__Output>): grpc.ClientUnaryCall;
  RequestRecord(argument: _xhub_exchange_v1_RequestRecordRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xhub_exchange_v1_RequestRecordResponse__Output>): grpc.ClientUnaryCall;
  RequestRecord(argument: _xhub_exchange_v1_RequestRecordRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_exchange_v1_RequestRecordResponse__Output>): grpc.ClientUnaryCall;
  RequestRecord(argument: _xhub_exchange_v1_RequestRecordRequest, callback: grpc.requestCallback<_xhub_exchange_v1_RequestRecordResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Asks the provider of `record_type` for one citizen's record, for `purpose`.
   */
  requestRecord(argument: _xhub_exchange_v1_RequestRecordRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_exchange_v1_RequestRecordResponse__Output>): grpc.ClientUnaryCall;
  requestRecord(argument: _xhub_exchange_v1_RequestRecordRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xhub_exchange_v1_RequestRecordResponse__Output>): grpc.ClientUnaryCall;
  requestRecord(argument: _xhub_exchange_v1_RequestRecordRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_exchange_v1_RequestRecordResponse__Output>): grpc.ClientUnaryCall;
  requestRecord(argument: _xhub_exchange_v1_RequestRecordRequest, callback: grpc.requestCallback<_xhub_exchange_v1_RequestRecordResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Bulk exchange: one record type, one purpose, many citizens. The first message
   * must be `job` (the token's req_sha256 covers its bytes); then any number of
   * `subjects`, then the client half-closes. Results stream back as they come.
   * Every subject still gets its own decision, consent check and audit entries;
   * the hub signs a batch of requests once, and the provider signs each batch of
   * records once over a Merkle root of their digests, with an inclusion proof
   * per record (see BulkRecordProof).
   * Items are numbered by `index`; batch b holds the indexes [b*batch_size,
   * (b+1)*batch_size). A batch is sent to the provider once it is complete or
   * the input has ended. Resuming: call again with the same job_id (and the same
   * record type, purpose, fields and batch size) and send the subjects not yet
   * answered, with their original indexes; an index whose batch already ran is
   * answered from that run (ALREADY_DELIVERED, or its first error), never fetched
   * again.
   */
  RequestRecords(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_xhub_exchange_v1_BulkRequest, _xhub_exchange_v1_BulkResponse__Output>;
  RequestRecords(options?: grpc.CallOptions): grpc.ClientDuplexStream<_xhub_exchange_v1_BulkRequest, _xhub_exchange_v1_BulkResponse__Output>;
  /**
   * Bulk exchange: one record type, one purpose, many citizens. The first message
   * must be `job` (the token's req_sha256 covers its bytes); then any number of
   * `subjects`, then the client half-closes. Results stream back as they come.
   * Every subject still gets its own decision, consent check and audit entries;
   * the hub signs a batch of requests once, and the provider signs each batch of
   * records once over a Merkle root of their digests, with an inclusion proof
   * per record (see BulkRecordProof).
   * Items are numbered by `index`; batch b holds the indexes [b*batch_size,
   * (b+1)*batch_size). A batch is sent to the provider once it is complete or
   * the input has ended. Resuming: call again with the same job_id (and the same
   * record type, purpose, fields and batch size) and send the subjects not yet
   * answered, with their original indexes; an index whose batch already ran is
   * answered from that run (ALREADY_DELIVERED, or its first error), never fetched
   * again.
   */
  requestRecords(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_xhub_exchange_v1_BulkRequest, _xhub_exchange_v1_BulkResponse__Output>;
  requestRecords(options?: grpc.CallOptions): grpc.ClientDuplexStream<_xhub_exchange_v1_BulkRequest, _xhub_exchange_v1_BulkResponse__Output>;
  
}

export interface ExchangeHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Asks the provider of `record_type` for one citizen's record, for `purpose`.
   */
  RequestRecord: grpc.handleUnaryCall<_xhub_exchange_v1_RequestRecordRequest__Output, _xhub_exchange_v1_RequestRecordResponse>;
  
  /**
   * Bulk exchange: one record type, one purpose, many citizens. The first message
   * must be `job` (the token's req_sha256 covers its bytes); then any number of
   * `subjects`, then the client half-closes. Results stream back as they come.
   * Every subject still gets its own decision, consent check and audit entries;
   * the hub signs a batch of requests once, and the provider signs each batch of
   * records once over a Merkle root of their digests, with an inclusion proof
   * per record (see BulkRecordProof).
   * Items are numbered by `index`; batch b holds the indexes [b*batch_size,
   * (b+1)*batch_size). A batch is sent to the provider once it is complete or
   * the input has ended. Resuming: call again with the same job_id (and the same
   * record type, purpose, fields and batch size) and send the subjects not yet
   * answered, with their original indexes; an index whose batch already ran is
   * answered from that run (ALREADY_DELIVERED, or its first error), never fetched
   * again.
   */
  RequestRecords: grpc.handleBidiStreamingCall<_xhub_exchange_v1_BulkRequest__Output, _xhub_exchange_v1_BulkResponse>;
  
}

export interface ExchangeDefinition extends grpc.ServiceDefinition {
  RequestRecord: MethodDefinition<_xhub_exchange_v1_RequestRecordRequest, _xhub_exchange_v1_RequestRecordResponse, _xhub_exchange_v1_RequestRecordRequest__Output, _xhub_exchange_v1_RequestRecordResponse__Output>
  RequestRecords: MethodDefinition<_xhub_exchange_v1_BulkRequest, _xhub_exchange_v1_BulkResponse, _xhub_exchange_v1_BulkRequest__Output, _xhub_exchange_v1_BulkResponse__Output>
}
