import { HubError } from '../../../lib/errors/hub-error.ts';
import type { AuditIndex } from '../../audit/audit-index.ts';
import { dayLabel, zoneDays } from './zone-days.ts';

/** A range of the dashboard and the zone its days are counted in. */
export interface DashboardOptions {
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
  /** IANA zone with one UTC offset; default Asia/Bangkok. */
  timeZone?: string;
  /** How many purposes `topPurposes` keeps; default 10. */
  topPurposes?: number;
}

/** Plain data of the dashboard: every list is ready to print as a table. */
export interface DashboardData {
  from: number;
  to: number;
  timeZone: string;
  /** Every calendar day (YYYY-MM-DD, in `timeZone`) the range touches, in order. */
  days: string[];
  /** Deliveries (`delivered` entries) per day and agency pair; days and pairs without any are left out. Sorted by day, consumer, provider. */
  transfers: { day: string; consumer: string; provider: string; count: number }[];
  /** Denied decisions per reason code, most frequent first. */
  denials: { reason: string; count: number }[];
  /** Consents granted and withdrawn per day, for every day of `days`. */
  consents: { day: string; granted: number; withdrawn: number }[];
  /** Purposes of deliveries, most frequent first, at most `topPurposes` of them. */
  topPurposes: { purpose: string; count: number }[];
  totals: { transfers: number; denials: number; granted: number; withdrawn: number };
}

/** The longest range a dashboard covers: a year and a bit, so a chart keeps readable bars. */
export const MAX_DASHBOARD_DAYS = 400;

/**
 * Counts for the DPO dashboard over [from, to), by calendar day in
 * `timeZone` (Asia/Bangkok unless given): transfers per day per agency pair,
 * denials by reason code, consents granted and withdrawn per day, and the top
 * purposes. All counting is done in SQL by the audit index; only the grouped
 * counts reach JavaScript. Only signed hub facts are counted.
 *
 * What counts: a transfer is a `delivered` entry (a record the provider sent;
 * a `replayed` stored answer is not a new transfer); a denial is a `decision`
 * entry with decision `deny` (authentication refusals, `access-denied`, are
 * security events, not decisions); a withdrawal is a `consent-revoked` entry.
 *
 * Throws ERR_INVALID_ARGUMENT (naming `from`, `to`, `timeZone` or `topPurposes`) when the
 * range is empty, longer than MAX_DASHBOARD_DAYS days, or the zone is unknown
 * or changes offset within it.
 */
export function dashboardData(index: AuditIndex, options: DashboardOptions): DashboardData {
  const { from, to } = options;
  const timeZone = options.timeZone ?? 'Asia/Bangkok';
  const top = options.topPurposes ?? 10;
  if (!Number.isInteger(top) || top < 1 || top > 100)
    throw new HubError('ERR_INVALID_ARGUMENT', 'topPurposes must be a whole number from 1 to 100');
  const zone = zoneDays(from, to, timeZone, MAX_DASHBOARD_DAYS);
  const range = { from, to, utcOffsetMs: zone.utcOffsetMs };
  const days = Array.from({ length: zone.last - zone.first + 1 }, (_, i) => dayLabel(zone.first + i));

  const transfers = index
    .countEntries({ ...range, kinds: ['delivered'], by: ['day', 'consumer', 'provider'] })
    .map((r) => ({
      day: dayLabel(r.day!),
      consumer: r.consumer ?? '',
      provider: r.provider ?? '',
      count: r.count,
    }))
    .sort(
      (a, b) => compare(a.day, b.day) || compare(a.consumer, b.consumer) || compare(a.provider, b.provider),
    );
  const denials = index
    .countEntries({ ...range, kinds: ['decision'], decision: 'deny', by: ['reason'] })
    .map((r) => ({ reason: r.reason ?? '', count: r.count }))
    .sort((a, b) => b.count - a.count || compare(a.reason, b.reason));
  const consentRows = index.countEntries({
    ...range,
    kinds: ['consent-granted', 'consent-revoked'],
    by: ['day', 'kind'],
  });
  const consents = days.map((day) => {
    const count = (kind: string) =>
      consentRows.find((r) => dayLabel(r.day!) === day && r.kind === kind)?.count ?? 0;
    return { day, granted: count('consent-granted'), withdrawn: count('consent-revoked') };
  });
  const purposes = index
    .countEntries({ ...range, kinds: ['delivered'], by: ['purpose'] })
    .map((r) => ({ purpose: r.purpose ?? '', count: r.count }))
    .sort((a, b) => b.count - a.count || compare(a.purpose, b.purpose));
  const sum = (rows: { count: number }[]) => rows.reduce((n, r) => n + r.count, 0);
  return {
    from,
    to,
    timeZone,
    days,
    transfers,
    denials,
    consents,
    topPurposes: purposes.slice(0, top),
    totals: {
      transfers: sum(transfers),
      denials: sum(denials),
      granted: sum(consents.map((c) => ({ count: c.granted }))),
      withdrawn: sum(consents.map((c) => ({ count: c.withdrawn }))),
    },
  };
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
