import { describe, expect, it } from 'vitest';
import type { AuditWriter } from '../../broker/audit/audit-writer.ts';
import { ExchangeAudit } from '../../broker/audit/exchange-audit.ts';
import { HubError } from '../../lib/errors/hub-error.ts';
import type { Decision } from '../../policies/decide.ts';

/** A writer whose producer queue is full: every append fails, as the node's does when Kafka is overloaded. */
const overloaded = { append: () => Promise.reject(new HubError('ERR_OVERLOADED', 'producer queue full')) } as unknown as AuditWriter;
const common = { exchangeId: 'x', consumer: 'FPO', recordType: 'r', purpose: 'p', subjectRef: 's'.repeat(43) };

describe('the audit entries of one exchange', () => {
  it('an entry write that fails while nobody waits is no unhandled rejection (regression: it crashed the node)', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const audit = new ExchangeAudit(overloaded, common);
      audit.received('client-1', 't'.repeat(43));
      audit.decided({ effect: 'deny', reason: 'ERR_NO_AGREEMENT', rule: 'agreement-exists', source: 'agreements.json' } as unknown as Decision, undefined);
      // Two macrotask turns: Node reports unhandled rejections after the microtask queue drains.
      await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
      // Whoever does wait still learns that the entries are not durable.
      await expect(audit.settled()).rejects.toMatchObject({ code: 'ERR_OVERLOADED' });
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
