import { assertCitizenId } from '../../lib/citizen-id.ts';
import { HubError } from '../../lib/errors/hub-error.ts';
import { parseTime } from '../../lib/input.ts';
import type { ListForCitizenRequest__Output as ListForCitizenRequest } from '../../lib/proto-types/xhub/access/v1/ListForCitizenRequest.ts';
import type { ListForCitizenResponse } from '../../lib/proto-types/xhub/access/v1/ListForCitizenResponse.ts';
import type { AuditEntry } from '../audit/audit-entry.types.ts';
import type { AuditIndex } from '../audit/audit-index.ts';
import type { AuditWriter } from '../audit/audit-writer.ts';
import { authenticate } from '../auth/authenticate.ts';
import type { IndexReaderDeps } from '../audit/audit-service.ts';
import { requireRole } from '../auth/require-role.ts';
import type { CallContext } from '../transport/call-context.ts';
import { accessView } from './access-view.ts';

export interface AccessLogDeps extends IndexReaderDeps {
  audit: AuditWriter;
  /** The clock deferrals are judged by (a test freezes it). */
  now: () => number;
}

/** Entries of one person read from the index at a time. */
const CHUNK = 5_000;

/** The AccessLog service: only consent managers (a citizen app's backend) may read a person's access log. */
export function accessLogHandlers(deps: AccessLogDeps) {
  return {
    ListForCitizen: async (
      ctx: CallContext,
      request: ListForCitizenRequest,
    ): Promise<ListForCitizenResponse> => {
      const policy = deps.policy();
      const { agency } = await authenticate(ctx, policy, deps.replay, deps.auth);
      requireRole(policy, agency, ['consent-manager'], 'AccessLog.ListForCitizen');
      if (!deps.index)
        throw new HubError(
          'ERR_AUDIT_NOT_SERVED',
          `node ${deps.nodeId} serves exchanges only (auditQueries is off): ask an audit node`,
        );
      if (!request.subject)
        throw new HubError(
          'ERR_INVALID_ARGUMENT',
          'subject is required: the citizen id whose access log is asked for',
        );
      assertCitizenId(request.subject);
      const from = request.from ? parseTime(request.from, 'from') : undefined;
      const to = request.to ? parseTime(request.to, 'to') : undefined;
      const pageSize = request.pageSize === 0 ? 100 : Math.min(Number(request.pageSize), 500);
      const after = request.pageToken ? pageAfter(request.pageToken) : -1;
      const subjectRef = deps.pseudonyms.of(request.subject);
      // Looking is processing: on the record, durably, before anything is shown.
      await deps.audit.append({
        kind: 'viewed',
        actor: agency,
        subjectRef,
        detail: 'AccessLog/ListForCitizen',
      });
      const rows = personsEntries(deps.index, subjectRef);
      const lines = accessView(rows, policy, deps.now()).filter(({ index, line }) => {
        const at = Date.parse(line.at);
        return index > after && (from === undefined || at >= from) && (to === undefined || at < to);
      });
      const page = lines.slice(0, pageSize);
      return {
        entries: page.map((l) => l.line),
        nextPageToken:
          lines.length > pageSize ? Buffer.from(String(page.at(-1)!.index)).toString('base64url') : '',
      };
    },
  };
}

function pageAfter(token: string): number {
  const n = Number(Buffer.from(token, 'base64url').toString());
  if (!Number.isSafeInteger(n) || n < 0)
    throw new HubError('ERR_INVALID_ARGUMENT', 'page_token is not one this service handed out');
  return n;
}

/**
 * All of one person's entries, in log order. All of them, not the newest
 * page only: a hand-out is shown or held back by what came before it in its
 * exchange (its decision, an earlier deferral), and a cap would silently drop
 * the newest.
 */
function personsEntries(index: AuditIndex, subjectRef: string): { index: number; entry: AuditEntry }[] {
  const rows: { index: number; entry: AuditEntry }[] = [];
  for (let after = -1; ;) {
    const chunk = index.query({ subjectRef }, after, CHUNK);
    for (const r of chunk)
      rows.push({ index: r.index, entry: JSON.parse(r.raw.toString('utf8')) as AuditEntry });
    if (chunk.length < CHUNK) return rows;
    after = chunk.at(-1)!.index;
  }
}
