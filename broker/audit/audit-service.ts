import { assertCitizenId } from '../../lib/citizen-id.ts';
import type { Pseudonymiser } from '../../lib/crypto/pseudonym.ts';
import { HubError } from '../../lib/errors/hub-error.ts';
import { parseTime } from '../../lib/input.ts';
import type { TokenReplayCheck } from '../claims/token-replay.ts';
import type { Policy } from '../../policies/policy.types.ts';
import { authenticate, type AuthOptions } from '../auth/authenticate.ts';
import { requireRole } from '../auth/require-role.ts';
import type { CallContext } from '../transport/call-context.ts';
import type { AuditFilter, AuditIndex } from './audit-index.ts';
import type { NoteVerifier } from '../../lib/merkle/signed-note.ts';
import { buildEvidenceFor } from '../evidence/build-evidence.ts';

/** What every service that reads the audit index needs: the policy, the index, and how to authenticate callers. */
export interface IndexReaderDeps {
  policy: () => Policy;
  /** The query index; undefined on a node configured not to serve audit queries (auditQueries: false). */
  index: AuditIndex | undefined;
  nodeId: string;
  pseudonyms: Pseudonymiser;
  replay: TokenReplayCheck;
  auth: AuthOptions;
}

export interface AuditDeps extends IndexReaderDeps {
  /** The log's checkpoint verifier (the hub key under the log's origin): named in evidence bundles. */
  logVerifier: NoteVerifier;
}

interface QueryRequest {
  subject: string;
  agency: string;
  recordType: string;
  purpose: string;
  lawfulBasis: string;
  decision: string;
  kind: string;
  from: string;
  to: string;
  pageSize: number;
  pageToken: string;
}

const bad = (message: string) => new HubError('ERR_INVALID_ARGUMENT', message);
const b64 = (b: Buffer) => b.toString('base64');

/** The Audit service: only agencies with the auditor role may read the log or ask for proofs. */
export function auditHandlers(deps: AuditDeps) {
  /** Authenticates an auditor, then hands out the index, or says where queries are served. */
  const auditor = async (ctx: CallContext, action: string): Promise<AuditIndex> => {
    const policy = deps.policy();
    const { agency } = await authenticate(ctx, policy, deps.replay, deps.auth);
    requireRole(policy, agency, ['auditor'], action);
    if (!deps.index) {
      throw new HubError('ERR_AUDIT_NOT_SERVED', `node ${deps.nodeId} serves exchanges only (auditQueries is off): ask an audit node`);
    }
    return deps.index;
  };
  const size = (value: string | number, field: string) => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 0) throw bad(`${field} must be a whole number`);
    return n;
  };
  const latest = (index: AuditIndex) => {
    const checkpoint = index.latestCheckpoint();
    if (!checkpoint) throw new HubError('ERR_NOT_FOUND', 'no checkpoint has been published yet');
    return checkpoint;
  };

  return {
    Query: async (ctx: CallContext, request: QueryRequest) => {
      const index = await auditor(ctx, 'Audit.Query');
      const filter: AuditFilter = {
        agency: request.agency,
        recordType: request.recordType,
        purpose: request.purpose,
        lawfulBasis: request.lawfulBasis,
        decision: request.decision,
        kind: request.kind,
        ...(request.subject ? { subjectRef: pseudonymOf(request.subject, deps.pseudonyms) } : {}),
        ...(request.from ? { from: parseTime(request.from, 'from') } : {}),
        ...(request.to ? { to: parseTime(request.to, 'to') } : {}),
      };
      const pageSize = request.pageSize === 0 ? 100 : Math.min(size(request.pageSize, 'page_size'), 1000);
      const after = request.pageToken ? size(Buffer.from(request.pageToken, 'base64url').toString(), 'page_token') : -1;
      const rows = index.query(filter, after, pageSize + 1);
      const page = rows.slice(0, pageSize);
      return {
        entries: page.map((r) => ({ index: String(r.index), entryJson: r.raw.toString('utf8'), leafHash: b64(r.leaf), bytes: r.raw })),
        nextPageToken: rows.length > pageSize ? Buffer.from(String(page.at(-1)!.index)).toString('base64url') : '',
      };
    },

    GetCheckpoint: async (ctx: CallContext, request: { size: string }) => {
      const index = await auditor(ctx, 'Audit.GetCheckpoint');
      const wanted = size(request.size, 'size');
      const c = wanted === 0 ? latest(index) : index.checkpointAt(wanted);
      if (!c) {
        const newest = index.latestCheckpoint();
        const hint = newest ? `the newest is of size ${newest.size}; checkpoints are signed as the log grows, not at every size` : 'no checkpoint has been published yet';
        throw new HubError('ERR_NOT_FOUND', `no signed checkpoint of size ${wanted} on node ${deps.nodeId}: ${hint}`);
      }
      return { note: c.note, size: String(c.size), rootHash: b64(c.root) };
    },

    ProveInclusion: async (ctx: CallContext, request: { index: string; treeSize: string }) => {
      const log = await auditor(ctx, 'Audit.ProveInclusion');
      const index = size(request.index, 'index');
      const treeSize = Number(request.treeSize) > 0 ? size(request.treeSize, 'tree_size') : latest(log).size;
      if (index >= treeSize) throw bad(`index ${index} is not in a tree of ${treeSize} entries`);
      if (treeSize > log.nextIndex()) throw new HubError('ERR_NOT_FOUND', `this node has indexed ${log.nextIndex()} entries, fewer than ${treeSize}`);
      return { index: String(index), treeSize: String(treeSize), leafHash: b64(log.leafAt(index)), hashes: log.inclusionProof(index, treeSize).map(b64) };
    },

    ProveConsistency: async (ctx: CallContext, request: { first: string; second: string }) => {
      const index = await auditor(ctx, 'Audit.ProveConsistency');
      const first = size(request.first, 'first');
      const second = size(request.second, 'second');
      if (first > second) throw bad('first must not be larger than second');
      if (second > index.nextIndex()) throw new HubError('ERR_NOT_FOUND', `this node has indexed ${index.nextIndex()} entries, fewer than ${second}`);
      return { first: String(first), second: String(second), hashes: index.consistencyProof(first, second).map(b64) };
    },

    GetEvidence: async (ctx: CallContext, request: { exchangeId: string }) => {
      const index = await auditor(ctx, 'Audit.GetEvidence');
      return { bundleJson: JSON.stringify(buildEvidenceFor(index, deps.policy(), request.exchangeId, deps.logVerifier), null, 2) };
    },
  };
}

function pseudonymOf(subject: string, pseudonyms: Pseudonymiser): string {
  assertCitizenId(subject);
  return pseudonyms.of(subject);
}
