import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { ExchangeClient as _xhub_exchange_v1_ExchangeClient, ExchangeDefinition as _xhub_exchange_v1_ExchangeDefinition } from './xhub/exchange/v1/Exchange.ts';
import type { RequestRecordRequest as _xhub_exchange_v1_RequestRecordRequest, RequestRecordRequest__Output as _xhub_exchange_v1_RequestRecordRequest__Output } from './xhub/exchange/v1/RequestRecordRequest.ts';
import type { RequestRecordResponse as _xhub_exchange_v1_RequestRecordResponse, RequestRecordResponse__Output as _xhub_exchange_v1_RequestRecordResponse__Output } from './xhub/exchange/v1/RequestRecordResponse.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  xhub: {
    exchange: {
      v1: {
        Exchange: SubtypeConstructor<typeof grpc.Client, _xhub_exchange_v1_ExchangeClient> & { service: _xhub_exchange_v1_ExchangeDefinition }
        RequestRecordRequest: MessageTypeDefinition<_xhub_exchange_v1_RequestRecordRequest, _xhub_exchange_v1_RequestRecordRequest__Output>
        RequestRecordResponse: MessageTypeDefinition<_xhub_exchange_v1_RequestRecordResponse, _xhub_exchange_v1_RequestRecordResponse__Output>
      }
    }
  }
}

