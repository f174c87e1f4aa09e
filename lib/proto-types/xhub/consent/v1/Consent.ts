// Original file: proto/xhub/consent/v1/consent.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ConsentRecord as _xhub_consent_v1_ConsentRecord, ConsentRecord__Output as _xhub_consent_v1_ConsentRecord__Output } from '../../../xhub/consent/v1/ConsentRecord.ts';
import type { GetRequest as _xhub_consent_v1_GetRequest, GetRequest__Output as _xhub_consent_v1_GetRequest__Output } from '../../../xhub/consent/v1/GetRequest.ts';
import type { GrantRequest as _xhub_consent_v1_GrantRequest, GrantRequest__Output as _xhub_consent_v1_GrantRequest__Output } from '../../../xhub/consent/v1/GrantRequest.ts';
import type { GrantResponse as _xhub_consent_v1_GrantResponse, GrantResponse__Output as _xhub_consent_v1_GrantResponse__Output } from '../../../xhub/consent/v1/GrantResponse.ts';
import type { ListRequest as _xhub_consent_v1_ListRequest, ListRequest__Output as _xhub_consent_v1_ListRequest__Output } from '../../../xhub/consent/v1/ListRequest.ts';
import type { ListResponse as _xhub_consent_v1_ListResponse, ListResponse__Output as _xhub_consent_v1_ListResponse__Output } from '../../../xhub/consent/v1/ListResponse.ts';
import type { RevokeAllRequest as _xhub_consent_v1_RevokeAllRequest, RevokeAllRequest__Output as _xhub_consent_v1_RevokeAllRequest__Output } from '../../../xhub/consent/v1/RevokeAllRequest.ts';
import type { RevokeAllResponse as _xhub_consent_v1_RevokeAllResponse, RevokeAllResponse__Output as _xhub_consent_v1_RevokeAllResponse__Output } from '../../../xhub/consent/v1/RevokeAllResponse.ts';
import type { RevokeRequest as _xhub_consent_v1_RevokeRequest, RevokeRequest__Output as _xhub_consent_v1_RevokeRequest__Output } from '../../../xhub/consent/v1/RevokeRequest.ts';

export interface ConsentClient extends grpc.Client {
  Get(argument: _xhub_consent_v1_GetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_consent_v1_ConsentRecord__Output>): grpc.ClientUnaryCall;
  Get(argument: _xhub_consent_v1_GetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xhub_consent_v1_ConsentRecord__Output>): grpc.ClientUnaryCall;
  Get(argument: _xhub_consent_v1_GetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_consent_v1_ConsentRecord__Output>): grpc.ClientUnaryCall;
  Get(argument: _xhub_consent_v1_GetRequest, callback: grpc.requestCallback<_xhub_consent_v1_ConsentRecord__Output>): grpc.ClientUnaryCall;
  get(argument: _xhub_consent_v1_GetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_consent_v1_ConsentRecord__Output>): grpc.ClientUnaryCall;
  get(argument: _xhub_consent_v1_GetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xhub_consent_v1_ConsentRecord__Output>): grpc.ClientUnaryCall;
  get(argument: _xhub_consent_v1_GetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_consent_v1_ConsentRecord__Output>): grpc.ClientUnaryCall;
  get(argument: _xhub_consent_v1_GetRequest, callback: grpc.requestCallback<_xhub_consent_v1_ConsentRecord__Output>): grpc.ClientUnaryCall;
  
  /**
   * Records a new consent and returns it with a receipt signed by the node.
   */
  Grant(argument: _xhub_consent_v1_GrantRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_consent_v1_GrantResponse__Output>): grpc.ClientUnaryCall;
  Grant(argument: _xhub_consent_v1_GrantRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xhub_consent_v1_GrantResponse__Output>): grpc.ClientUnaryCall;
  Grant(argument: _xhub_consent_v1_GrantRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_consent_v1_GrantResponse__Output>): grpc.ClientUnaryCall;
  Grant(argument: _xhub_consent_v1_GrantRequest, callback: grpc.requestCallback<_xhub_consent_v1_GrantResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Records a new consent and returns it with a receipt signed by the node.
   */
  grant(argument: _xhub_consent_v1_GrantRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_consent_v1_GrantResponse__Output>): grpc.ClientUnaryCall;
  grant(argument: _xhub_consent_v1_GrantRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xhub_consent_v1_GrantResponse__Output>): grpc.ClientUnaryCall;
  grant(argument: _xhub_consent_v1_GrantRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_consent_v1_GrantResponse__Output>): grpc.ClientUnaryCall;
  grant(argument: _xhub_consent_v1_GrantRequest, callback: grpc.requestCallback<_xhub_consent_v1_GrantResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Every consent a person has given, in any state.
   */
  List(argument: _xhub_consent_v1_ListRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_consent_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _xhub_consent_v1_ListRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xhub_consent_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _xhub_consent_v1_ListRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_consent_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _xhub_consent_v1_ListRequest, callback: grpc.requestCallback<_xhub_consent_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Every consent a person has given, in any state.
   */
  list(argument: _xhub_consent_v1_ListRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_consent_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _xhub_consent_v1_ListRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xhub_consent_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _xhub_consent_v1_ListRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_consent_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _xhub_consent_v1_ListRequest, callback: grpc.requestCallback<_xhub_consent_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Withdraws one consent; effective at once on this node, within a second on all.
   */
  Revoke(argument: _xhub_consent_v1_RevokeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_consent_v1_ConsentRecord__Output>): grpc.ClientUnaryCall;
  Revoke(argument: _xhub_consent_v1_RevokeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xhub_consent_v1_ConsentRecord__Output>): grpc.ClientUnaryCall;
  Revoke(argument: _xhub_consent_v1_RevokeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_consent_v1_ConsentRecord__Output>): grpc.ClientUnaryCall;
  Revoke(argument: _xhub_consent_v1_RevokeRequest, callback: grpc.requestCallback<_xhub_consent_v1_ConsentRecord__Output>): grpc.ClientUnaryCall;
  /**
   * Withdraws one consent; effective at once on this node, within a second on all.
   */
  revoke(argument: _xhub_consent_v1_RevokeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_consent_v1_ConsentRecord__Output>): grpc.ClientUnaryCall;
  revoke(argument: _xhub_consent_v1_RevokeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xhub_consent_v1_ConsentRecord__Output>): grpc.ClientUnaryCall;
  revoke(argument: _xhub_consent_v1_RevokeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_consent_v1_ConsentRecord__Output>): grpc.ClientUnaryCall;
  revoke(argument: _xhub_consent_v1_RevokeRequest, callback: grpc.requestCallback<_xhub_consent_v1_ConsentRecord__Output>): grpc.ClientUnaryCall;
  
  /**
   * Withdraws every active consent a person has given.
   */
  RevokeAll(argument: _xhub_consent_v1_RevokeAllRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_consent_v1_RevokeAllResponse__Output>): grpc.ClientUnaryCall;
  RevokeAll(argument: _xhub_consent_v1_RevokeAllRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xhub_consent_v1_RevokeAllResponse__Output>): grpc.ClientUnaryCall;
  RevokeAll(argument: _xhub_consent_v1_RevokeAllRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_consent_v1_RevokeAllResponse__Output>): grpc.ClientUnaryCall;
  RevokeAll(argument: _xhub_consent_v1_RevokeAllRequest, callback: grpc.requestCallback<_xhub_consent_v1_RevokeAllResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Withdraws every active consent a person has given.
   */
  revokeAll(argument: _xhub_consent_v1_RevokeAllRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_consent_v1_RevokeAllResponse__Output>): grpc.ClientUnaryCall;
  revokeAll(argument: _xhub_consent_v1_RevokeAllRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xhub_consent_v1_RevokeAllResponse__Output>): grpc.ClientUnaryCall;
  revokeAll(argument: _xhub_consent_v1_RevokeAllRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_consent_v1_RevokeAllResponse__Output>): grpc.ClientUnaryCall;
  revokeAll(argument: _xhub_consent_v1_RevokeAllRequest, callback: grpc.requestCallback<_xhub_consent_v1_RevokeAllResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface ConsentHandlers extends grpc.UntypedServiceImplementation {
  Get: grpc.handleUnaryCall<_xhub_consent_v1_GetRequest__Output, _xhub_consent_v1_ConsentRecord>;
  
  /**
   * Records a new consent and returns it with a receipt signed by the node.
   */
  Grant: grpc.handleUnaryCall<_xhub_consent_v1_GrantRequest__Output, _xhub_consent_v1_GrantResponse>;
  
  /**
   * Every consent a person has given, in any state.
   */
  List: grpc.handleUnaryCall<_xhub_consent_v1_ListRequest__Output, _xhub_consent_v1_ListResponse>;
  
  /**
   * Withdraws one consent; effective at once on this node, within a second on all.
   */
  Revoke: grpc.handleUnaryCall<_xhub_consent_v1_RevokeRequest__Output, _xhub_consent_v1_ConsentRecord>;
  
  /**
   * Withdraws every active consent a person has given.
   */
  RevokeAll: grpc.handleUnaryCall<_xhub_consent_v1_RevokeAllRequest__Output, _xhub_consent_v1_RevokeAllResponse>;
  
}

export interface ConsentDefinition extends grpc.ServiceDefinition {
  Get: MethodDefinition<_xhub_consent_v1_GetRequest, _xhub_consent_v1_ConsentRecord, _xhub_consent_v1_GetRequest__Output, _xhub_consent_v1_ConsentRecord__Output>
  Grant: MethodDefinition<_xhub_consent_v1_GrantRequest, _xhub_consent_v1_GrantResponse, _xhub_consent_v1_GrantRequest__Output, _xhub_consent_v1_GrantResponse__Output>
  List: MethodDefinition<_xhub_consent_v1_ListRequest, _xhub_consent_v1_ListResponse, _xhub_consent_v1_ListRequest__Output, _xhub_consent_v1_ListResponse__Output>
  Revoke: MethodDefinition<_xhub_consent_v1_RevokeRequest, _xhub_consent_v1_ConsentRecord, _xhub_consent_v1_RevokeRequest__Output, _xhub_consent_v1_ConsentRecord__Output>
  RevokeAll: MethodDefinition<_xhub_consent_v1_RevokeAllRequest, _xhub_consent_v1_RevokeAllResponse, _xhub_consent_v1_RevokeAllRequest__Output, _xhub_consent_v1_RevokeAllResponse__Output>
}
