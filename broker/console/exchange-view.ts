import { verifyInclusion } from '../../lib/merkle/verify.ts';
import type { AuditEntry } from '../audit/audit-entry.types.ts';
import type { AuditIndex } from '../audit/audit-index.ts';
import type { ExchangeView } from './pages/exchange.ts';

/** An exchange's entries, and whether the newest signed checkpoint covers them: each inclusion proof checked here, not assumed. */
export function exchangeView(index: AuditIndex, exchangeId: string): ExchangeView {
  const rows = index.exchangeEntries(exchangeId);
  const entries = rows.map((r) => ({ index: r.index, entry: JSON.parse(r.raw.toString('utf8')) as AuditEntry }));
  const checkpoint = index.latestCheckpoint();
  if (!checkpoint || rows.length === 0 || checkpoint.size <= rows.at(-1)!.index) return { exchangeId, entries, coverage: { notCovered: true } };
  const failed = rows.find((r) => !verifyInclusion(r.index, checkpoint.size, r.leaf, index.inclusionProof(r.index, checkpoint.size), checkpoint.root));
  return { exchangeId, entries, coverage: failed ? { failedIndex: failed.index } : { size: checkpoint.size } };
}
