import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { Collection as _xhub_consent_v1_Collection, Collection__Output as _xhub_consent_v1_Collection__Output } from './xhub/consent/v1/Collection.ts';
import type { ConsentClient as _xhub_consent_v1_ConsentClient, ConsentDefinition as _xhub_consent_v1_ConsentDefinition } from './xhub/consent/v1/Consent.ts';
import type { ConsentItem as _xhub_consent_v1_ConsentItem, ConsentItem__Output as _xhub_consent_v1_ConsentItem__Output } from './xhub/consent/v1/ConsentItem.ts';
import type { ConsentRecord as _xhub_consent_v1_ConsentRecord, ConsentRecord__Output as _xhub_consent_v1_ConsentRecord__Output } from './xhub/consent/v1/ConsentRecord.ts';
import type { GetRequest as _xhub_consent_v1_GetRequest, GetRequest__Output as _xhub_consent_v1_GetRequest__Output } from './xhub/consent/v1/GetRequest.ts';
import type { GrantRequest as _xhub_consent_v1_GrantRequest, GrantRequest__Output as _xhub_consent_v1_GrantRequest__Output } from './xhub/consent/v1/GrantRequest.ts';
import type { GrantResponse as _xhub_consent_v1_GrantResponse, GrantResponse__Output as _xhub_consent_v1_GrantResponse__Output } from './xhub/consent/v1/GrantResponse.ts';
import type { ListRequest as _xhub_consent_v1_ListRequest, ListRequest__Output as _xhub_consent_v1_ListRequest__Output } from './xhub/consent/v1/ListRequest.ts';
import type { ListResponse as _xhub_consent_v1_ListResponse, ListResponse__Output as _xhub_consent_v1_ListResponse__Output } from './xhub/consent/v1/ListResponse.ts';
import type { RevokeAllRequest as _xhub_consent_v1_RevokeAllRequest, RevokeAllRequest__Output as _xhub_consent_v1_RevokeAllRequest__Output } from './xhub/consent/v1/RevokeAllRequest.ts';
import type { RevokeAllResponse as _xhub_consent_v1_RevokeAllResponse, RevokeAllResponse__Output as _xhub_consent_v1_RevokeAllResponse__Output } from './xhub/consent/v1/RevokeAllResponse.ts';
import type { RevokeRequest as _xhub_consent_v1_RevokeRequest, RevokeRequest__Output as _xhub_consent_v1_RevokeRequest__Output } from './xhub/consent/v1/RevokeRequest.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  xhub: {
    consent: {
      v1: {
        Collection: MessageTypeDefinition<_xhub_consent_v1_Collection, _xhub_consent_v1_Collection__Output>
        Consent: SubtypeConstructor<typeof grpc.Client, _xhub_consent_v1_ConsentClient> & { service: _xhub_consent_v1_ConsentDefinition }
        ConsentItem: MessageTypeDefinition<_xhub_consent_v1_ConsentItem, _xhub_consent_v1_ConsentItem__Output>
        ConsentRecord: MessageTypeDefinition<_xhub_consent_v1_ConsentRecord, _xhub_consent_v1_ConsentRecord__Output>
        GetRequest: MessageTypeDefinition<_xhub_consent_v1_GetRequest, _xhub_consent_v1_GetRequest__Output>
        GrantRequest: MessageTypeDefinition<_xhub_consent_v1_GrantRequest, _xhub_consent_v1_GrantRequest__Output>
        GrantResponse: MessageTypeDefinition<_xhub_consent_v1_GrantResponse, _xhub_consent_v1_GrantResponse__Output>
        ListRequest: MessageTypeDefinition<_xhub_consent_v1_ListRequest, _xhub_consent_v1_ListRequest__Output>
        ListResponse: MessageTypeDefinition<_xhub_consent_v1_ListResponse, _xhub_consent_v1_ListResponse__Output>
        RevokeAllRequest: MessageTypeDefinition<_xhub_consent_v1_RevokeAllRequest, _xhub_consent_v1_RevokeAllRequest__Output>
        RevokeAllResponse: MessageTypeDefinition<_xhub_consent_v1_RevokeAllResponse, _xhub_consent_v1_RevokeAllResponse__Output>
        RevokeRequest: MessageTypeDefinition<_xhub_consent_v1_RevokeRequest, _xhub_consent_v1_RevokeRequest__Output>
      }
    }
  }
}

