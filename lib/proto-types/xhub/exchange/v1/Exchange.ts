// Original file: proto/xhub/exchange/v1/exchange.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
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
  
}

export interface ExchangeHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Asks the provider of `record_type` for one citizen's record, for `purpose`.
   */
  RequestRecord: grpc.handleUnaryCall<_xhub_exchange_v1_RequestRecordRequest__Output, _xhub_exchange_v1_RequestRecordResponse>;
  
}

export interface ExchangeDefinition extends grpc.ServiceDefinition {
  RequestRecord: MethodDefinition<_xhub_exchange_v1_RequestRecordRequest, _xhub_exchange_v1_RequestRecordResponse, _xhub_exchange_v1_RequestRecordRequest__Output, _xhub_exchange_v1_RequestRecordResponse__Output>
}
