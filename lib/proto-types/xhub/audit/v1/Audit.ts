// Original file: proto/xhub/audit/v1/audit.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { Checkpoint as _xhub_audit_v1_Checkpoint, Checkpoint__Output as _xhub_audit_v1_Checkpoint__Output } from '../../../xhub/audit/v1/Checkpoint.ts';
import type { ConsistencyProof as _xhub_audit_v1_ConsistencyProof, ConsistencyProof__Output as _xhub_audit_v1_ConsistencyProof__Output } from '../../../xhub/audit/v1/ConsistencyProof.ts';
import type { Evidence as _xhub_audit_v1_Evidence, Evidence__Output as _xhub_audit_v1_Evidence__Output } from '../../../xhub/audit/v1/Evidence.ts';
import type { GetCheckpointRequest as _xhub_audit_v1_GetCheckpointRequest, GetCheckpointRequest__Output as _xhub_audit_v1_GetCheckpointRequest__Output } from '../../../xhub/audit/v1/GetCheckpointRequest.ts';
import type { GetEvidenceRequest as _xhub_audit_v1_GetEvidenceRequest, GetEvidenceRequest__Output as _xhub_audit_v1_GetEvidenceRequest__Output } from '../../../xhub/audit/v1/GetEvidenceRequest.ts';
import type { InclusionProof as _xhub_audit_v1_InclusionProof, InclusionProof__Output as _xhub_audit_v1_InclusionProof__Output } from '../../../xhub/audit/v1/InclusionProof.ts';
import type { ProveConsistencyRequest as _xhub_audit_v1_ProveConsistencyRequest, ProveConsistencyRequest__Output as _xhub_audit_v1_ProveConsistencyRequest__Output } from '../../../xhub/audit/v1/ProveConsistencyRequest.ts';
import type { ProveInclusionRequest as _xhub_audit_v1_ProveInclusionRequest, ProveInclusionRequest__Output as _xhub_audit_v1_ProveInclusionRequest__Output } from '../../../xhub/audit/v1/ProveInclusionRequest.ts';
import type { QueryRequest as _xhub_audit_v1_QueryRequest, QueryRequest__Output as _xhub_audit_v1_QueryRequest__Output } from '../../../xhub/audit/v1/QueryRequest.ts';
import type { QueryResponse as _xhub_audit_v1_QueryResponse, QueryResponse__Output as _xhub_audit_v1_QueryResponse__Output } from '../../../xhub/audit/v1/QueryResponse.ts';

export interface AuditClient extends grpc.Client {
  /**
   * A signed checkpoint: the newest, or the one of exactly the size asked for
   * (NOT_FOUND when the sequencer signed none at that size).
   */
  GetCheckpoint(argument: _xhub_audit_v1_GetCheckpointRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_audit_v1_Checkpoint__Output>): grpc.ClientUnaryCall;
  GetCheckpoint(argument: _xhub_audit_v1_GetCheckpointRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xhub_audit_v1_Checkpoint__Output>): grpc.ClientUnaryCall;
  GetCheckpoint(argument: _xhub_audit_v1_GetCheckpointRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_audit_v1_Checkpoint__Output>): grpc.ClientUnaryCall;
  GetCheckpoint(argument: _xhub_audit_v1_GetCheckpointRequest, callback: grpc.requestCallback<_xhub_audit_v1_Checkpoint__Output>): grpc.ClientUnaryCall;
  /**
   * A signed checkpoint: the newest, or the one of exactly the size asked for
   * (NOT_FOUND when the sequencer signed none at that size).
   */
  getCheckpoint(argument: _xhub_audit_v1_GetCheckpointRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_audit_v1_Checkpoint__Output>): grpc.ClientUnaryCall;
  getCheckpoint(argument: _xhub_audit_v1_GetCheckpointRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xhub_audit_v1_Checkpoint__Output>): grpc.ClientUnaryCall;
  getCheckpoint(argument: _xhub_audit_v1_GetCheckpointRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_audit_v1_Checkpoint__Output>): grpc.ClientUnaryCall;
  getCheckpoint(argument: _xhub_audit_v1_GetCheckpointRequest, callback: grpc.requestCallback<_xhub_audit_v1_Checkpoint__Output>): grpc.ClientUnaryCall;
  
  /**
   * The evidence bundle of one exchange: its audit entries as logged, each with an
   * inclusion proof up to the newest signed checkpoint, the provider's delivery
   * receipt and the digest of the consumer's token; no record content, no citizen id.
   * Checkable offline (`xhub evidence verify`; format in docs/evidence-bundle.md).
   * NOT_FOUND for an exchange with no entries; UNAVAILABLE while its last entry is not
   * yet under a signed checkpoint (retry in a few seconds).
   */
  GetEvidence(argument: _xhub_audit_v1_GetEvidenceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_audit_v1_Evidence__Output>): grpc.ClientUnaryCall;
  GetEvidence(argument: _xhub_audit_v1_GetEvidenceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xhub_audit_v1_Evidence__Output>): grpc.ClientUnaryCall;
  GetEvidence(argument: _xhub_audit_v1_GetEvidenceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_audit_v1_Evidence__Output>): grpc.ClientUnaryCall;
  GetEvidence(argument: _xhub_audit_v1_GetEvidenceRequest, callback: grpc.requestCallback<_xhub_audit_v1_Evidence__Output>): grpc.ClientUnaryCall;
  /**
   * The evidence bundle of one exchange: its audit entries as logged, each with an
   * inclusion proof up to the newest signed checkpoint, the provider's delivery
   * receipt and the digest of the consumer's token; no record content, no citizen id.
   * Checkable offline (`xhub evidence verify`; format in docs/evidence-bundle.md).
   * NOT_FOUND for an exchange with no entries; UNAVAILABLE while its last entry is not
   * yet under a signed checkpoint (retry in a few seconds).
   */
  getEvidence(argument: _xhub_audit_v1_GetEvidenceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_audit_v1_Evidence__Output>): grpc.ClientUnaryCall;
  getEvidence(argument: _xhub_audit_v1_GetEvidenceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xhub_audit_v1_Evidence__Output>): grpc.ClientUnaryCall;
  getEvidence(argument: _xhub_audit_v1_GetEvidenceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_audit_v1_Evidence__Output>): grpc.ClientUnaryCall;
  getEvidence(argument: _xhub_audit_v1_GetEvidenceRequest, callback: grpc.requestCallback<_xhub_audit_v1_Evidence__Output>): grpc.ClientUnaryCall;
  
  ProveConsistency(argument: _xhub_audit_v1_ProveConsistencyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_audit_v1_ConsistencyProof__Output>): grpc.ClientUnaryCall;
  ProveConsistency(argument: _xhub_audit_v1_ProveConsistencyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xhub_audit_v1_ConsistencyProof__Output>): grpc.ClientUnaryCall;
  ProveConsistency(argument: _xhub_audit_v1_ProveConsistencyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_audit_v1_ConsistencyProof__Output>): grpc.ClientUnaryCall;
  ProveConsistency(argument: _xhub_audit_v1_ProveConsistencyRequest, callback: grpc.requestCallback<_xhub_audit_v1_ConsistencyProof__Output>): grpc.ClientUnaryCall;
  proveConsistency(argument: _xhub_audit_v1_ProveConsistencyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_audit_v1_ConsistencyProof__Output>): grpc.ClientUnaryCall;
  proveConsistency(argument: _xhub_audit_v1_ProveConsistencyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xhub_audit_v1_ConsistencyProof__Output>): grpc.ClientUnaryCall;
  proveConsistency(argument: _xhub_audit_v1_ProveConsistencyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_audit_v1_ConsistencyProof__Output>): grpc.ClientUnaryCall;
  proveConsistency(argument: _xhub_audit_v1_ProveConsistencyRequest, callback: grpc.requestCallback<_xhub_audit_v1_ConsistencyProof__Output>): grpc.ClientUnaryCall;
  
  ProveInclusion(argument: _xhub_audit_v1_ProveInclusionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_audit_v1_InclusionProof__Output>): grpc.ClientUnaryCall;
  ProveInclusion(argument: _xhub_audit_v1_ProveInclusionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xhub_audit_v1_InclusionProof__Output>): grpc.ClientUnaryCall;
  ProveInclusion(argument: _xhub_audit_v1_ProveInclusionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_audit_v1_InclusionProof__Output>): grpc.ClientUnaryCall;
  ProveInclusion(argument: _xhub_audit_v1_ProveInclusionRequest, callback: grpc.requestCallback<_xhub_audit_v1_InclusionProof__Output>): grpc.ClientUnaryCall;
  proveInclusion(argument: _xhub_audit_v1_ProveInclusionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_audit_v1_InclusionProof__Output>): grpc.ClientUnaryCall;
  proveInclusion(argument: _xhub_audit_v1_ProveInclusionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xhub_audit_v1_InclusionProof__Output>): grpc.ClientUnaryCall;
  proveInclusion(argument: _xhub_audit_v1_ProveInclusionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_audit_v1_InclusionProof__Output>): grpc.ClientUnaryCall;
  proveInclusion(argument: _xhub_audit_v1_ProveInclusionRequest, callback: grpc.requestCallback<_xhub_audit_v1_InclusionProof__Output>): grpc.ClientUnaryCall;
  
  Query(argument: _xhub_audit_v1_QueryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_audit_v1_QueryResponse__Output>): grpc.ClientUnaryCall;
  Query(argument: _xhub_audit_v1_QueryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xhub_audit_v1_QueryResponse__Output>): grpc.ClientUnaryCall;
  Query(argument: _xhub_audit_v1_QueryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_audit_v1_QueryResponse__Output>): grpc.ClientUnaryCall;
  Query(argument: _xhub_audit_v1_QueryRequest, callback: grpc.requestCallback<_xhub_audit_v1_QueryResponse__Output>): grpc.ClientUnaryCall;
  query(argument: _xhub_audit_v1_QueryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_audit_v1_QueryResponse__Output>): grpc.ClientUnaryCall;
  query(argument: _xhub_audit_v1_QueryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_xhub_audit_v1_QueryResponse__Output>): grpc.ClientUnaryCall;
  query(argument: _xhub_audit_v1_QueryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_xhub_audit_v1_QueryResponse__Output>): grpc.ClientUnaryCall;
  query(argument: _xhub_audit_v1_QueryRequest, callback: grpc.requestCallback<_xhub_audit_v1_QueryResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface AuditHandlers extends grpc.UntypedServiceImplementation {
  /**
   * A signed checkpoint: the newest, or the one of exactly the size asked for
   * (NOT_FOUND when the sequencer signed none at that size).
   */
  GetCheckpoint: grpc.handleUnaryCall<_xhub_audit_v1_GetCheckpointRequest__Output, _xhub_audit_v1_Checkpoint>;
  
  /**
   * The evidence bundle of one exchange: its audit entries as logged, each with an
   * inclusion proof up to the newest signed checkpoint, the provider's delivery
   * receipt and the digest of the consumer's token; no record content, no citizen id.
   * Checkable offline (`xhub evidence verify`; format in docs/evidence-bundle.md).
   * NOT_FOUND for an exchange with no entries; UNAVAILABLE while its last entry is not
   * yet under a signed checkpoint (retry in a few seconds).
   */
  GetEvidence: grpc.handleUnaryCall<_xhub_audit_v1_GetEvidenceRequest__Output, _xhub_audit_v1_Evidence>;
  
  ProveConsistency: grpc.handleUnaryCall<_xhub_audit_v1_ProveConsistencyRequest__Output, _xhub_audit_v1_ConsistencyProof>;
  
  ProveInclusion: grpc.handleUnaryCall<_xhub_audit_v1_ProveInclusionRequest__Output, _xhub_audit_v1_InclusionProof>;
  
  Query: grpc.handleUnaryCall<_xhub_audit_v1_QueryRequest__Output, _xhub_audit_v1_QueryResponse>;
  
}

export interface AuditDefinition extends grpc.ServiceDefinition {
  GetCheckpoint: MethodDefinition<_xhub_audit_v1_GetCheckpointRequest, _xhub_audit_v1_Checkpoint, _xhub_audit_v1_GetCheckpointRequest__Output, _xhub_audit_v1_Checkpoint__Output>
  GetEvidence: MethodDefinition<_xhub_audit_v1_GetEvidenceRequest, _xhub_audit_v1_Evidence, _xhub_audit_v1_GetEvidenceRequest__Output, _xhub_audit_v1_Evidence__Output>
  ProveConsistency: MethodDefinition<_xhub_audit_v1_ProveConsistencyRequest, _xhub_audit_v1_ConsistencyProof, _xhub_audit_v1_ProveConsistencyRequest__Output, _xhub_audit_v1_ConsistencyProof__Output>
  ProveInclusion: MethodDefinition<_xhub_audit_v1_ProveInclusionRequest, _xhub_audit_v1_InclusionProof, _xhub_audit_v1_ProveInclusionRequest__Output, _xhub_audit_v1_InclusionProof__Output>
  Query: MethodDefinition<_xhub_audit_v1_QueryRequest, _xhub_audit_v1_QueryResponse, _xhub_audit_v1_QueryRequest__Output, _xhub_audit_v1_QueryResponse__Output>
}
