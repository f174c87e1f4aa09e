// Original file: proto/xhub/access/v1/access.proto

import type { AccessEntry as _xhub_access_v1_AccessEntry, AccessEntry__Output as _xhub_access_v1_AccessEntry__Output } from '../../../xhub/access/v1/AccessEntry.ts';

export interface ListForCitizenResponse {
  /**
   * Oldest first.
   */
  'entries'?: (_xhub_access_v1_AccessEntry)[];
  'nextPageToken'?: (string);
}

export interface ListForCitizenResponse__Output {
  /**
   * Oldest first.
   */
  'entries': (_xhub_access_v1_AccessEntry__Output)[];
  'nextPageToken': (string);
}
