// Original file: proto/xhub/access/v1/access.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ListForCitizenRequest as _xhub_access_v1_ListForCitizenRequest, ListForCitizenRequest__Output as _xhub_access_v1_ListForCitizenRequest__Output } from '../../../xhub/access/v1/ListForCitizenRequest.ts';
import type { ListForCitizenResponse as _xhub_access_v1_ListForCitizenResponse, ListForCitizenResponse__Output as _xhub_access_v1_ListForCitizenResponse__Output } from '../../../xhub/access/v1/ListForCitizenResponse.ts';

export interface AccessLogClient extends grpc.Client {
  /**
   * Who received which of the person's records, when, why, on what lawful basis
   * and under which consent: every delivery and every retry answered from a stored
   * delivery. Deliveries under an agreement that defers disclosure (an
   * investigation, say) are left out until their date, without a trace.
   */
  ListForCitizen(argument: _xhub_access_v1_ListForCitizenRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_access_v1_ListForCitizenResponse__Output>): grpc.ClientUnaryCall;
  ListForCitizen(argument: _xhub_access_v1_ListForCitizenRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xhub_access_v1_ListForCitizenResponse__Output>): grpc.ClientUnaryCall;
  ListForCitizen(argument: _xhub_access_v1_ListForCitizenRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_access_v1_ListForCitizenResponse__Output>): grpc.ClientUnaryCall;
  ListForCitizen(argument: _xhub_access_v1_ListForCitizenRequest, callback: grpc.requestCallback<_xhub_access_v1_ListForCitizenResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Who received which of the person's records, when, why, on what lawful basis
   * and under which consent: every delivery and every retry answered from a stored
   * delivery. Deliveries under an agreement that defers disclosure (an
   * investigation, say) are left out until their date, without a trace.
   */
  listForCitizen(argument: _xhub_access_v1_ListForCitizenRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_access_v1_ListForCitizenResponse__Output>): grpc.ClientUnaryCall;
  listForCitizen(argument: _xhub_access_v1_ListForCitizenRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xhub_access_v1_ListForCitizenResponse__Output>): grpc.ClientUnaryCall;
  listForCitizen(argument: _xhub_access_v1_ListForCitizenRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_access_v1_ListForCitizenResponse__Output>): grpc.ClientUnaryCall;
  listForCitizen(argument: _xhub_access_v1_ListForCitizenRequest, callback: grpc.requestCallback<_xhub_access_v1_ListForCitizenResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface AccessLogHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Who received which of the person's records, when, why, on what lawful basis
   * and under which consent: every delivery and every retry answered from a stored
   * delivery. Deliveries under an agreement that defers disclosure (an
   * investigation, say) are left out until their date, without a trace.
   */
  ListForCitizen: grpc.handleUnaryCall<_xhub_access_v1_ListForCitizenRequest__Output, _xhub_access_v1_ListForCitizenResponse>;
  
}

export interface AccessLogDefinition extends grpc.ServiceDefinition {
  ListForCitizen: MethodDefinition<_xhub_access_v1_ListForCitizenRequest, _xhub_access_v1_ListForCitizenResponse, _xhub_access_v1_ListForCitizenRequest__Output, _xhub_access_v1_ListForCitizenResponse__Output>
}
