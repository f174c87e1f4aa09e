import { afterEach, describe, expect, it } from 'vitest';
import { AuditIndex } from '../../broker/audit/audit-index.ts';
import type { AuditEntry } from '../../broker/audit/audit-entry.types.ts';
import { dashboardCharts } from '../../broker/console/dashboard/dashboard-charts.ts';
import { dashboardData } from '../../broker/console/dashboard/dashboard-data.ts';

/** 2025-03-10 17:00 UTC: midnight in Bangkok, where 10 March ends and 11 March begins. */
const MIDNIGHT = Date.UTC(2025, 2, 10, 17);
const HOUR = 3_600_000;
const RANGE = { from: MIDNIGHT - 24 * HOUR, to: MIDNIGHT + 24 * HOUR };

type Fact = Partial<AuditEntry> & Pick<AuditEntry, 'kind' | 'at'>;
let index: AuditIndex;
afterEach(() => index?.close());

/** An index holding `facts` as logged entries (the index stores what it is given; signatures are the verifier's concern). */
function indexOf(facts: Fact[], unverified = 0): AuditIndex {
  index = new AuditIndex(':memory:');
  const rows = facts.map((f, i) => {
    const entry = { v: 1, id: `e-${i}`, nodeId: 'node-1', kid: 'k', sig: 's', ...f } as AuditEntry;
    return { raw: Buffer.from(JSON.stringify(entry)), entry };
  });
  for (let i = 0; i < unverified; i++)
    rows.push({ raw: Buffer.from('{"kind":"delivered","reason":"forged"}'), entry: undefined as never });
  index.add(0, rows, rows.length);
  return index;
}

const delivered = (
  at: number,
  consumer: string,
  provider: string,
  purpose = 'WELFARE_ELIGIBILITY',
): Fact => ({ kind: 'delivered', at, consumer, provider, purpose });
const denied = (at: number, reason: string): Fact => ({
  kind: 'decision',
  at,
  consumer: 'BMA',
  decision: 'deny',
  reason,
});

const FACTS: Fact[] = [
  delivered(MIDNIGHT - 1, 'FPO', 'DOPA'), // 23:59:59.999 on 10 March in Bangkok
  delivered(MIDNIGHT - 2 * HOUR, 'FPO', 'DOPA'),
  delivered(MIDNIGHT, 'FPO', 'DOPA'), // 00:00 on 11 March
  delivered(MIDNIGHT + HOUR, 'RD', 'DOPA', 'TAX_ASSESSMENT'),
  {
    kind: 'replayed',
    at: MIDNIGHT + HOUR,
    consumer: 'FPO',
    provider: 'DOPA',
    purpose: 'WELFARE_ELIGIBILITY',
  },
  denied(MIDNIGHT - HOUR, 'ERR_NO_AGREEMENT'),
  denied(MIDNIGHT + HOUR, 'ERR_NO_AGREEMENT'),
  denied(MIDNIGHT + 2 * HOUR, 'ERR_CONSENT_REVOKED'),
  { kind: 'access-denied', at: MIDNIGHT, decision: 'deny', reason: 'ERR_AUTH_BAD_SIGNATURE' },
  { kind: 'consent-granted', at: MIDNIGHT - 3 * HOUR },
  { kind: 'consent-granted', at: MIDNIGHT + 3 * HOUR },
  { kind: 'consent-revoked', at: MIDNIGHT + 4 * HOUR },
  delivered(RANGE.to, 'FPO', 'DOPA'), // the end of the range is outside it
  delivered(RANGE.from - 1, 'FPO', 'DOPA'),
];

describe('dashboard data', () => {
  it('counts per Bangkok day, the boundary at 17:00 UTC, in SQL over signed facts only', () => {
    const data = dashboardData(indexOf(FACTS, 2), RANGE);
    expect(data.days).toEqual(['2025-03-10', '2025-03-11']);
    expect(data.transfers).toEqual([
      { day: '2025-03-10', consumer: 'FPO', provider: 'DOPA', count: 2 },
      { day: '2025-03-11', consumer: 'FPO', provider: 'DOPA', count: 1 },
      { day: '2025-03-11', consumer: 'RD', provider: 'DOPA', count: 1 },
    ]);
    expect(data.denials).toEqual([
      { reason: 'ERR_NO_AGREEMENT', count: 2 },
      { reason: 'ERR_CONSENT_REVOKED', count: 1 },
    ]);
    expect(data.consents).toEqual([
      { day: '2025-03-10', granted: 1, withdrawn: 0 },
      { day: '2025-03-11', granted: 1, withdrawn: 1 },
    ]);
    expect(data.topPurposes).toEqual([
      { purpose: 'WELFARE_ELIGIBILITY', count: 3 },
      { purpose: 'TAX_ASSESSMENT', count: 1 },
    ]);
    expect(data.totals).toEqual({ transfers: 4, denials: 3, granted: 2, withdrawn: 1 });
  });

  it('puts the boundary where the zone asked for has it', () => {
    const data = dashboardData(indexOf(FACTS), { ...RANGE, timeZone: 'UTC' });
    expect(data.days).toEqual(['2025-03-09', '2025-03-10', '2025-03-11']);
    expect(data.transfers.filter((t) => t.consumer === 'FPO').map((t) => [t.day, t.count])).toEqual([
      ['2025-03-10', 3],
    ]);
  });

  it('keeps only the most frequent purposes', () => {
    expect(dashboardData(indexOf(FACTS), { ...RANGE, topPurposes: 1 }).topPurposes).toEqual([
      { purpose: 'WELFARE_ELIGIBILITY', count: 3 },
    ]);
  });

  it('refuses a range or zone it cannot count, naming the option', () => {
    const idx = indexOf([]);
    const refused = (options: Parameters<typeof dashboardData>[1], field: RegExp) => {
      expect(() => dashboardData(idx, options)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringMatching(field) }),
      );
    };
    refused({ from: RANGE.to, to: RANGE.from }, /^to /);
    refused({ from: Number.NaN, to: RANGE.to }, /^from /);
    refused({ ...RANGE, timeZone: 'Mars/Olympus' }, /^timeZone /);
    // Berlin moves to summer time on 30 March 2025: its days are not one offset apart.
    refused(
      { from: Date.UTC(2025, 2, 20), to: Date.UTC(2025, 3, 10), timeZone: 'Europe/Berlin' },
      /^timeZone Europe\/Berlin changes its UTC offset/,
    );
    refused({ from: 0, to: 500 * 24 * HOUR }, /^from and to span/);
    refused({ ...RANGE, topPurposes: 0 }, /^topPurposes /);
  });
});

describe('dashboard charts', () => {
  it('renders four SVG charts with their titles, labels, summaries and tables, in Thai', async () => {
    const charts = await dashboardCharts(dashboardData(indexOf(FACTS), RANGE), { lang: 'th' });
    const { transfers, denials, consents, purposes } = charts;
    expect(transfers.svg).toMatch(
      /^<svg id="chart-transfers" role="img" aria-labelledby="chart-transfers-title chart-transfers-desc" /,
    );
    expect(transfers.svg).toContain(
      '<title id="chart-transfers-title">การส่งข้อมูลรายวัน แยกตามคู่หน่วยงาน</title>',
    );
    expect(transfers.svg).toContain(
      '<desc id="chart-transfers-desc">ส่งข้อมูล 4 ครั้ง ระหว่างหน่วยงาน 2 คู่ ตั้งแต่ 2025-03-10 ถึง 2025-03-11 (วันตามเวลา Asia/Bangkok)</desc>',
    );
    for (const text of ['2025-03-10', '2025-03-11', 'FPO → DOPA', 'RD → DOPA', 'วันที่', 'จำนวน'])
      expect(transfers.svg).toContain(`>${text}</text>`);
    expect(transfers.svg).toContain(`font-family="Sarabun, Loma, Garuda, 'Noto Sans Thai', sans-serif"`);
    expect(transfers.table).toEqual({
      columns: ['วันที่', 'ผู้ขอข้อมูล', 'ผู้ให้ข้อมูล', 'จำนวน'],
      rows: [
        ['2025-03-10', 'FPO', 'DOPA', 2],
        ['2025-03-11', 'FPO', 'DOPA', 1],
        ['2025-03-11', 'RD', 'DOPA', 1],
      ],
    });
    expect(denials.svg).toContain('>ERR_NO_AGREEMENT</text>');
    expect(denials.table.rows).toEqual([
      ['ERR_NO_AGREEMENT', 2],
      ['ERR_CONSENT_REVOKED', 1],
    ]);
    expect(consents.svg).toContain('>ให้ความยินยอม</text>');
    expect(consents.svg).toContain('>ถอนความยินยอม</text>');
    expect(purposes.svg).toContain('>WELFARE_ELIGIBILITY</text>');
    for (const chart of Object.values(charts)) {
      expect(chart.empty).toBe(false);
      // Embeddable under the console's CSP: no script, no inline style, nothing fetched.
      expect(chart.svg).not.toMatch(/<script|style=|href=|<image|<foreignObject/i);
    }
  });

  it('speaks English when asked, with wording the page may change', async () => {
    const { denials } = await dashboardCharts(dashboardData(indexOf(FACTS), RANGE), {
      lang: 'en',
      labels: { denialsTitle: 'Refusals' },
      idPrefix: 'dash',
    });
    expect(denials.id).toBe('dash-denials');
    expect(denials.svg).toContain('<title id="dash-denials-title">Refusals</title>');
    expect(denials.description).toBe('Denied requests: 3; reason codes: 2; from 2025-03-10 to 2025-03-11.');
    expect(denials.table.columns).toEqual(['Reason code', 'Number']);
  });

  it('escapes markup in the data: a label with <script> stays text', async () => {
    const hostile = '<script>alert(1)</script>';
    const { transfers, purposes } = await dashboardCharts(
      dashboardData(indexOf([delivered(MIDNIGHT, hostile, 'DOPA', `"><img src=x onerror=alert(1)>`)]), RANGE),
      { lang: 'en' },
    );
    expect(transfers.svg).toMatch(/>&lt;script&gt;alert\(1\)&lt;\/script&gt; → (DOPA|…)<\/text>/);
    expect(transfers.svg).toContain(
      'aria-label="Day: 2025-03-11; Number: 1; Agency pair (consumer → provider): &lt;script&gt;alert(1)&lt;/script&gt; → DOPA"',
    );
    expect(purposes.svg).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    for (const svg of [transfers.svg, purposes.svg]) expect(svg).not.toMatch(/<script|<img/i);
    // The table keeps the plain value: the page escapes it where it prints it.
    expect(transfers.table.rows[0]).toEqual(['2025-03-11', hostile, 'DOPA', 1]);
  });

  it('draws a chart that says there is no data when the range holds nothing', async () => {
    const charts = await dashboardCharts(dashboardData(indexOf([]), RANGE), { lang: 'th' });
    for (const chart of Object.values(charts)) {
      expect(chart.empty).toBe(true);
      expect(chart.svg).toContain('>ไม่มีข้อมูลในช่วงเวลานี้</text>');
      expect(chart.description).toBe('ไม่มีข้อมูลในช่วงเวลานี้: 2025-03-10 – 2025-03-11');
    }
    expect(charts.transfers.table.rows).toEqual([]);
    expect(charts.consents.table.rows).toEqual([
      ['2025-03-10', 0, 0],
      ['2025-03-11', 0, 0],
    ]);
  });
});
