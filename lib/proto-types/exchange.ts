import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { BulkJob as _xhub_exchange_v1_BulkJob, BulkJob__Output as _xhub_exchange_v1_BulkJob__Output } from './xhub/exchange/v1/BulkJob.ts';
import type { BulkProgress as _xhub_exchange_v1_BulkProgress, BulkProgress__Output as _xhub_exchange_v1_BulkProgress__Output } from './xhub/exchange/v1/BulkProgress.ts';
import type { BulkRecordProof as _xhub_exchange_v1_BulkRecordProof, BulkRecordProof__Output as _xhub_exchange_v1_BulkRecordProof__Output } from './xhub/exchange/v1/BulkRecordProof.ts';
import type { BulkRequest as _xhub_exchange_v1_BulkRequest, BulkRequest__Output as _xhub_exchange_v1_BulkRequest__Output } from './xhub/exchange/v1/BulkRequest.ts';
import type { BulkResponse as _xhub_exchange_v1_BulkResponse, BulkResponse__Output as _xhub_exchange_v1_BulkResponse__Output } from './xhub/exchange/v1/BulkResponse.ts';
import type { BulkResult as _xhub_exchange_v1_BulkResult, BulkResult__Output as _xhub_exchange_v1_BulkResult__Output } from './xhub/exchange/v1/BulkResult.ts';
import type { BulkResults as _xhub_exchange_v1_BulkResults, BulkResults__Output as _xhub_exchange_v1_BulkResults__Output } from './xhub/exchange/v1/BulkResults.ts';
import type { BulkSubject as _xhub_exchange_v1_BulkSubject, BulkSubject__Output as _xhub_exchange_v1_BulkSubject__Output } from './xhub/exchange/v1/BulkSubject.ts';
import type { BulkSubjects as _xhub_exchange_v1_BulkSubjects, BulkSubjects__Output as _xhub_exchange_v1_BulkSubjects__Output } from './xhub/exchange/v1/BulkSubjects.ts';
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
        BulkJob: MessageTypeDefinition<_xhub_exchange_v1_BulkJob, _xhub_exchange_v1_BulkJob__Output>
        BulkProgress: MessageTypeDefinition<_xhub_exchange_v1_BulkProgress, _xhub_exchange_v1_BulkProgress__Output>
        BulkRecordProof: MessageTypeDefinition<_xhub_exchange_v1_BulkRecordProof, _xhub_exchange_v1_BulkRecordProof__Output>
        BulkRequest: MessageTypeDefinition<_xhub_exchange_v1_BulkRequest, _xhub_exchange_v1_BulkRequest__Output>
        BulkResponse: MessageTypeDefinition<_xhub_exchange_v1_BulkResponse, _xhub_exchange_v1_BulkResponse__Output>
        BulkResult: MessageTypeDefinition<_xhub_exchange_v1_BulkResult, _xhub_exchange_v1_BulkResult__Output>
        BulkResults: MessageTypeDefinition<_xhub_exchange_v1_BulkResults, _xhub_exchange_v1_BulkResults__Output>
        BulkSubject: MessageTypeDefinition<_xhub_exchange_v1_BulkSubject, _xhub_exchange_v1_BulkSubject__Output>
        BulkSubjects: MessageTypeDefinition<_xhub_exchange_v1_BulkSubjects, _xhub_exchange_v1_BulkSubjects__Output>
        Exchange: SubtypeConstructor<typeof grpc.Client, _xhub_exchange_v1_ExchangeClient> & { service: _xhub_exchange_v1_ExchangeDefinition }
        RequestRecordRequest: MessageTypeDefinition<_xhub_exchange_v1_RequestRecordRequest, _xhub_exchange_v1_RequestRecordRequest__Output>
        RequestRecordResponse: MessageTypeDefinition<_xhub_exchange_v1_RequestRecordResponse, _xhub_exchange_v1_RequestRecordResponse__Output>
      }
    }
  }
}

