const DAY = 86_400_000;

/** A valid Grant request; override what a test is about. */
export function grant(subject: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    subject,
    consumer: 'MOPH',
    items: [{ recordType: 'rd.income-tax.annual-summary' }],
    purposes: ['PUBLIC_HEALTH_SERVICE'],
    validFrom: new Date(Date.now() - 60_000).toISOString(),
    validTo: new Date(Date.now() + 30 * DAY).toISOString(),
    dataLifeDays: 30,
    maxUses: 0,
    collection: { method: 'mobile-app', collectedAt: new Date(Date.now() - 60_000).toISOString(), reference: 'thangrat-session-42' },
    noticeVersion: 'moph-income-notice-v3',
    ...over,
  };
}
