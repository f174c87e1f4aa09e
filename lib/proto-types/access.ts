import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AccessEntry as _xhub_access_v1_AccessEntry, AccessEntry__Output as _xhub_access_v1_AccessEntry__Output } from './xhub/access/v1/AccessEntry.ts';
import type { AccessLogClient as _xhub_access_v1_AccessLogClient, AccessLogDefinition as _xhub_access_v1_AccessLogDefinition } from './xhub/access/v1/AccessLog.ts';
import type { ListForCitizenRequest as _xhub_access_v1_ListForCitizenRequest, ListForCitizenRequest__Output as _xhub_access_v1_ListForCitizenRequest__Output } from './xhub/access/v1/ListForCitizenRequest.ts';
import type { ListForCitizenResponse as _xhub_access_v1_ListForCitizenResponse, ListForCitizenResponse__Output as _xhub_access_v1_ListForCitizenResponse__Output } from './xhub/access/v1/ListForCitizenResponse.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  xhub: {
    access: {
      v1: {
        AccessEntry: MessageTypeDefinition<_xhub_access_v1_AccessEntry, _xhub_access_v1_AccessEntry__Output>
        AccessLog: SubtypeConstructor<typeof grpc.Client, _xhub_access_v1_AccessLogClient> & { service: _xhub_access_v1_AccessLogDefinition }
        ListForCitizenRequest: MessageTypeDefinition<_xhub_access_v1_ListForCitizenRequest, _xhub_access_v1_ListForCitizenRequest__Output>
        ListForCitizenResponse: MessageTypeDefinition<_xhub_access_v1_ListForCitizenResponse, _xhub_access_v1_ListForCitizenResponse__Output>
      }
    }
  }
}

