import type { Lang } from '../i18n.ts';

/**
 * The words of the dashboard charts. Summaries take `{name}` placeholders:
 * `{first}` and `{last}` (days), `{zone}`, and per chart `{total}`, `{pairs}`,
 * `{reasons}`, `{granted}`, `{withdrawn}`, `{shown}`.
 */
export interface DashboardLabels {
  transfersTitle: string;
  transfersSummary: string;
  denialsTitle: string;
  denialsSummary: string;
  consentsTitle: string;
  consentsSummary: string;
  purposesTitle: string;
  purposesSummary: string;
  day: string;
  count: string;
  pair: string;
  consumer: string;
  provider: string;
  reason: string;
  purpose: string;
  event: string;
  granted: string;
  withdrawn: string;
  noData: string;
}

/** Thai and English wording, the console's two languages (terms as in its messages/*.json). */
export const DASHBOARD_LABELS: Record<Lang, DashboardLabels> = {
  en: {
    transfersTitle: 'Transfers per day per agency pair',
    transfersSummary: 'Transfers: {total}; agency pairs: {pairs}; from {first} to {last} (days in {zone}).',
    denialsTitle: 'Denials by reason code',
    denialsSummary: 'Denied requests: {total}; reason codes: {reasons}; from {first} to {last}.',
    consentsTitle: 'Consents granted and withdrawn',
    consentsSummary: 'Consents granted: {granted}; withdrawn: {withdrawn}; from {first} to {last}.',
    purposesTitle: 'Top purposes of transfers',
    purposesSummary:
      'Purposes shown: {shown}, most frequent first; transfers: {total}; from {first} to {last}.',
    day: 'Day',
    count: 'Number',
    pair: 'Agency pair (consumer → provider)',
    consumer: 'Consumer',
    provider: 'Provider',
    reason: 'Reason code',
    purpose: 'Purpose',
    event: 'Event',
    granted: 'Granted',
    withdrawn: 'Withdrawn',
    noData: 'No data in this period',
  },
  th: {
    transfersTitle: 'การส่งข้อมูลรายวัน แยกตามคู่หน่วยงาน',
    transfersSummary: 'ส่งข้อมูล {total} ครั้ง ระหว่างหน่วยงาน {pairs} คู่ ตั้งแต่ {first} ถึง {last} (วันตามเวลา {zone})',
    denialsTitle: 'การปฏิเสธ แยกตามรหัสเหตุผล',
    denialsSummary: 'ปฏิเสธคำขอ {total} ครั้ง ด้วยรหัสเหตุผล {reasons} รหัส ตั้งแต่ {first} ถึง {last}',
    consentsTitle: 'การให้และการถอนความยินยอม',
    consentsSummary: 'ให้ความยินยอม {granted} ครั้ง และถอนความยินยอม {withdrawn} ครั้ง ตั้งแต่ {first} ถึง {last}',
    purposesTitle: 'วัตถุประสงค์ของการส่งข้อมูลที่พบบ่อยที่สุด',
    purposesSummary: 'วัตถุประสงค์ {shown} อันดับแรกของการส่งข้อมูล {total} ครั้ง ตั้งแต่ {first} ถึง {last}',
    day: 'วันที่',
    count: 'จำนวน',
    pair: 'คู่หน่วยงาน (ผู้ขอข้อมูล → ผู้ให้ข้อมูล)',
    consumer: 'ผู้ขอข้อมูล',
    provider: 'ผู้ให้ข้อมูล',
    reason: 'รหัสเหตุผล',
    purpose: 'วัตถุประสงค์',
    event: 'เหตุการณ์',
    granted: 'ให้ความยินยอม',
    withdrawn: 'ถอนความยินยอม',
    noData: 'ไม่มีข้อมูลในช่วงเวลานี้',
  },
};

/** `text` with its `{name}` placeholders filled. */
export function fill(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
