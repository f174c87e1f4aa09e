// Original file: proto/xhub/audit/v1/audit.proto

import type { AuditEntryView as _xhub_audit_v1_AuditEntryView, AuditEntryView__Output as _xhub_audit_v1_AuditEntryView__Output } from '../../../xhub/audit/v1/AuditEntryView.ts';

export interface QueryResponse {
  'entries'?: (_xhub_audit_v1_AuditEntryView)[];
  'nextPageToken'?: (string);
}

export interface QueryResponse__Output {
  'entries': (_xhub_audit_v1_AuditEntryView__Output)[];
  'nextPageToken': (string);
}
