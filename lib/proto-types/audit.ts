import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AuditClient as _xhub_audit_v1_AuditClient, AuditDefinition as _xhub_audit_v1_AuditDefinition } from './xhub/audit/v1/Audit.ts';
import type { AuditEntryView as _xhub_audit_v1_AuditEntryView, AuditEntryView__Output as _xhub_audit_v1_AuditEntryView__Output } from './xhub/audit/v1/AuditEntryView.ts';
import type { Checkpoint as _xhub_audit_v1_Checkpoint, Checkpoint__Output as _xhub_audit_v1_Checkpoint__Output } from './xhub/audit/v1/Checkpoint.ts';
import type { ConsistencyProof as _xhub_audit_v1_ConsistencyProof, ConsistencyProof__Output as _xhub_audit_v1_ConsistencyProof__Output } from './xhub/audit/v1/ConsistencyProof.ts';
import type { Evidence as _xhub_audit_v1_Evidence, Evidence__Output as _xhub_audit_v1_Evidence__Output } from './xhub/audit/v1/Evidence.ts';
import type { GetCheckpointRequest as _xhub_audit_v1_GetCheckpointRequest, GetCheckpointRequest__Output as _xhub_audit_v1_GetCheckpointRequest__Output } from './xhub/audit/v1/GetCheckpointRequest.ts';
import type { GetEvidenceRequest as _xhub_audit_v1_GetEvidenceRequest, GetEvidenceRequest__Output as _xhub_audit_v1_GetEvidenceRequest__Output } from './xhub/audit/v1/GetEvidenceRequest.ts';
import type { InclusionProof as _xhub_audit_v1_InclusionProof, InclusionProof__Output as _xhub_audit_v1_InclusionProof__Output } from './xhub/audit/v1/InclusionProof.ts';
import type { ProveConsistencyRequest as _xhub_audit_v1_ProveConsistencyRequest, ProveConsistencyRequest__Output as _xhub_audit_v1_ProveConsistencyRequest__Output } from './xhub/audit/v1/ProveConsistencyRequest.ts';
import type { ProveInclusionRequest as _xhub_audit_v1_ProveInclusionRequest, ProveInclusionRequest__Output as _xhub_audit_v1_ProveInclusionRequest__Output } from './xhub/audit/v1/ProveInclusionRequest.ts';
import type { QueryRequest as _xhub_audit_v1_QueryRequest, QueryRequest__Output as _xhub_audit_v1_QueryRequest__Output } from './xhub/audit/v1/QueryRequest.ts';
import type { QueryResponse as _xhub_audit_v1_QueryResponse, QueryResponse__Output as _xhub_audit_v1_QueryResponse__Output } from './xhub/audit/v1/QueryResponse.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  xhub: {
    audit: {
      v1: {
        Audit: SubtypeConstructor<typeof grpc.Client, _xhub_audit_v1_AuditClient> & { service: _xhub_audit_v1_AuditDefinition }
        AuditEntryView: MessageTypeDefinition<_xhub_audit_v1_AuditEntryView, _xhub_audit_v1_AuditEntryView__Output>
        Checkpoint: MessageTypeDefinition<_xhub_audit_v1_Checkpoint, _xhub_audit_v1_Checkpoint__Output>
        ConsistencyProof: MessageTypeDefinition<_xhub_audit_v1_ConsistencyProof, _xhub_audit_v1_ConsistencyProof__Output>
        Evidence: MessageTypeDefinition<_xhub_audit_v1_Evidence, _xhub_audit_v1_Evidence__Output>
        GetCheckpointRequest: MessageTypeDefinition<_xhub_audit_v1_GetCheckpointRequest, _xhub_audit_v1_GetCheckpointRequest__Output>
        GetEvidenceRequest: MessageTypeDefinition<_xhub_audit_v1_GetEvidenceRequest, _xhub_audit_v1_GetEvidenceRequest__Output>
        InclusionProof: MessageTypeDefinition<_xhub_audit_v1_InclusionProof, _xhub_audit_v1_InclusionProof__Output>
        ProveConsistencyRequest: MessageTypeDefinition<_xhub_audit_v1_ProveConsistencyRequest, _xhub_audit_v1_ProveConsistencyRequest__Output>
        ProveInclusionRequest: MessageTypeDefinition<_xhub_audit_v1_ProveInclusionRequest, _xhub_audit_v1_ProveInclusionRequest__Output>
        QueryRequest: MessageTypeDefinition<_xhub_audit_v1_QueryRequest, _xhub_audit_v1_QueryRequest__Output>
        QueryResponse: MessageTypeDefinition<_xhub_audit_v1_QueryResponse, _xhub_audit_v1_QueryResponse__Output>
      }
    }
  }
}

