import type { AccessEntry__Output as AccessEntry } from '../../lib/proto-types/xhub/access/v1/AccessEntry.ts';
import type { Policy } from '../../policies/policy.types.ts';
import type { AuditEntry } from '../audit/audit-entry.types.ts';
import { isDeferred } from './deferral.ts';

/**
 * A person's access log from their audit entries (in log order): one line per
 * record handed out (`delivered`, or `replayed` to a retry), with the lawful
 * basis and consent of the decision that allowed it. A hand-out still under a
 * deferral (its own, or an earlier one's of the same exchange) is left out, and
 * nothing says that any were.
 */
export function accessView(
  entries: readonly { index: number; entry: AuditEntry }[],
  policy: Policy,
  now: number,
): { index: number; line: AccessEntry }[] {
  const decisions = new Map<string, AuditEntry>();
  // Per exchange, the latest date any hand-out so far was deferred to.
  const withheld = new Map<string, number>();
  const lines: { index: number; line: AccessEntry }[] = [];
  for (const { index, entry } of entries) {
    if (entry.kind === 'decision' && entry.exchangeId) decisions.set(entry.exchangeId, entry);
    if (entry.kind !== 'delivered' && entry.kind !== 'replayed') continue;
    const exchange = entry.exchangeId ?? '';
    // A retry is re-decided under the policy of its day: one answered under an
    // agreement that no longer defers must not give away a delivery that is
    // still deferred, so a hand-out waits for every earlier one of its exchange.
    const until = Math.max(entry.discloseAfter ?? 0, withheld.get(exchange) ?? 0);
    if (entry.discloseAfter !== undefined) withheld.set(exchange, until);
    if (isDeferred({ discloseAfter: until }, now)) continue;
    // A replay carries its own (re-checked) decision; a delivery takes its exchange's.
    const basis = entry.kind === 'replayed' ? entry : (decisions.get(entry.exchangeId ?? '') ?? entry);
    lines.push({ index, line: lineOf(entry, basis, policy) });
  }
  return lines;
}

function lineOf(entry: AuditEntry, basis: AuditEntry, policy: Policy): AccessEntry {
  const agreement = policy.agreements.find((a) => a.id === basis.agreementId);
  const name = (agency: string | undefined) => {
    const a = policy.agencies.get(agency ?? '');
    return a ? (a.nameTh ?? a.name) : '';
  };
  return {
    at: new Date(entry.at).toISOString(),
    kind: entry.kind,
    consumer: entry.consumer ?? '',
    consumerName: name(entry.consumer),
    provider: entry.provider ?? '',
    providerName: name(entry.provider),
    recordType: entry.recordType ?? '',
    recordTypeTitle: policy.recordTypes.get(entry.recordType ?? '')?.title ?? '',
    purpose: entry.purpose ?? '',
    purposeTitle: policy.purposes.get(entry.purpose ?? '')?.title ?? '',
    lawfulBasis: basis.lawfulBasis ?? '',
    statute: agreement?.lawfulBasis.statute ?? '',
    consentId: basis.consentId ?? '',
    exchangeId: entry.exchangeId ?? '',
    fields: entry.fields ?? [],
  };
}
