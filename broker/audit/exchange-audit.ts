import { sha256b64url } from '../../lib/crypto/digest.ts';
import type { Decision } from '../../policies/decide.ts';
import type { Agreement } from '../../policies/policy.types.ts';
import type { AuditWriter } from './audit-writer.ts';
import { disclosureOf } from './disclosure.ts';

/** The audit entries of one exchange, with what every one of them shares. */
export class ExchangeAudit {
  private readonly pending: Promise<void>[] = [];

  private readonly writer: AuditWriter;
  private readonly common: {
    exchangeId: string;
    consumer: string;
    recordType: string;
    purpose: string;
    subjectRef: string;
  };

  constructor(
    writer: AuditWriter,
    common: { exchangeId: string; consumer: string; recordType: string; purpose: string; subjectRef: string },
  ) {
    this.writer = writer;
    this.common = common;
  }

  received(clientRequestId: string, tokenDigest: string): void {
    const requestRef = sha256b64url(`${this.common.consumer}\u0000${clientRequestId}`);
    this.track(this.writer.append({ kind: 'request-received', ...this.common, requestRef, tokenDigest }));
  }

  /**
   * Keeps an entry's write for `settled`. The exchange may end (overloaded,
   * refused before sending) without ever asking: a write that fails then must
   * not become an unhandled rejection, which would take the node down.
   */
  private track(write: Promise<void>): void {
    write.catch(() => {});
    this.pending.push(write);
  }

  decided(decision: Decision, consentId: string | undefined): void {
    const outcome =
      decision.effect === 'permit'
        ? {
            decision: 'permit' as const,
            provider: decision.provider,
            lawfulBasis: decision.basis.basis,
            agreementId: decision.agreement.id,
            fields: decision.fields,
          }
        : { decision: 'deny' as const };
    this.track(
      this.writer.append({
        kind: 'decision',
        ...this.common,
        ...outcome,
        reason: decision.reason,
        rule: decision.rule,
        source: decision.source,
        ...(consentId ? { consentId } : {}),
      }),
    );
  }

  /**
   * Resolves once every entry of the exchange, the delivery last, is durable.
   * `deferDisclosure` is the deciding agreement's: the entry then carries its
   * `discloseAfter` and `deferral`, counted from the entry's own time.
   */
  async delivered(d: {
    provider: string;
    fields: string[];
    recordJson: string;
    responseJws: string;
    providerKeyId: string;
    providerReceipt: string;
    deferDisclosure: Agreement['deferDisclosure'];
  }): Promise<void> {
    const at = Date.now();
    this.track(
      this.writer.append(
        {
          kind: 'delivered',
          ...this.common,
          provider: d.provider,
          fields: d.fields,
          payloadDigest: sha256b64url(d.recordJson),
          signatureDigest: sha256b64url(d.responseJws),
          providerKeyId: d.providerKeyId,
          ...(d.providerReceipt ? { providerReceipt: d.providerReceipt } : {}),
          ...disclosureOf(d.deferDisclosure, at),
        },
        at,
      ),
    );
    await this.settled();
  }

  /**
   * A retry answered with the stored answer of this exchange (same consumer,
   * same client request id): handing it out again is a disclosure of its own,
   * on the record with the retry's token and the same digests as the delivery,
   * and deferred as the agreement that permits it now says.
   */
  async replayed(d: {
    clientRequestId: string;
    tokenDigest: string;
    provider: string;
    fields: string[];
    recordJson: string;
    responseJws: string;
    providerKeyId: string;
    providerReceipt: string;
    decision: Decision & { effect: 'permit' };
    consentId: string | undefined;
  }): Promise<void> {
    const at = Date.now();
    this.track(
      this.writer.append(
        {
          kind: 'replayed',
          ...this.common,
          requestRef: sha256b64url(`${this.common.consumer}\u0000${d.clientRequestId}`),
          tokenDigest: d.tokenDigest,
          provider: d.provider,
          fields: d.fields,
          lawfulBasis: d.decision.basis.basis,
          agreementId: d.decision.agreement.id,
          reason: d.decision.reason,
          ...(d.consentId ? { consentId: d.consentId } : {}),
          payloadDigest: sha256b64url(d.recordJson),
          signatureDigest: sha256b64url(d.responseJws),
          providerKeyId: d.providerKeyId,
          ...(d.providerReceipt ? { providerReceipt: d.providerReceipt } : {}),
          ...disclosureOf(d.decision.agreement.deferDisclosure, at),
        },
        at,
      ),
    );
    await this.settled();
  }

  async failed(code: string, provider?: string): Promise<void> {
    const kind = code === 'ERR_DEADLINE_EXCEEDED' ? 'timed-out' : 'failed';
    this.track(this.writer.append({ kind, ...this.common, reason: code, ...(provider ? { provider } : {}) }));
    await this.settled();
  }

  /** Waits for every entry written so far; throws if any could not be made durable. */
  async settled(): Promise<void> {
    await Promise.all(this.pending);
  }
}
