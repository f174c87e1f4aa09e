import type { ConsentLookup, ConsentState } from '../../policies/consent.types.ts';
import type { ConsentEvent, GrantedEvent, RevokedEvent, UsedEvent } from './consent-events.ts';

/** Whether a `used` event spent a use of its consent, decided by its place in the consent log. */
export type UseVerdict = { counted: true } | { counted: false; reason: 'ERR_CONSENT_NOT_FOUND' | 'ERR_CONSENT_REVOKED' | 'ERR_CONSENT_USES_EXHAUSTED' };

/**
 * The current state of every consent, materialised from consent events. Pure:
 * no I/O, so it is the same whether fed from Kafka or by a test. Consents are
 * immutable once granted; only revocation and use counts change.
 *
 * A `used` event counts only if, at its place in the log, the consent was
 * granted, not revoked and had a use left; otherwise it is refused. A
 * consent's events share a key, so one partition and one order for every node
 * and every restart: all reach the same verdicts, and `maxUses` holds however
 * many nodes wrote uses at once.
 */
export class ConsentView implements ConsentLookup {
  private readonly consents = new Map<string, ConsentState>();
  private readonly bySubjectRef = new Map<string, Set<string>>();
  /**
   * Consents as the log has them so far, apart from what this node applied
   * ahead of the log: the use rule must see the log's order, not this node's.
   */
  private readonly logged = new Map<string, { revoked: boolean }>();
  /** Every use event decided, by id: a replay (the same signed bytes again) gets the first verdict, so counts once at most. */
  private readonly useVerdicts = new Map<string, UseVerdict>();

  private readonly current: () => boolean;

  constructor(current: () => boolean = () => true) {
    this.current = current;
  }

  isCurrent(): boolean {
    return this.current();
  }

  get(consentId: string): ConsentState | undefined {
    return this.consents.get(consentId);
  }

  forSubject(subjectRef: string): ConsentState[] {
    return [...(this.bySubjectRef.get(subjectRef) ?? [])].map((id) => this.consents.get(id)!);
  }

  get size(): number {
    return this.consents.size;
  }

  /**
   * Applies a grant or a withdrawal this node is writing, before it is read
   * back, so it takes effect here at once (PDPA s.19: withdrawal as easy as
   * consent). Uses are never applied ahead of the log: only its order counts them.
   */
  applyLocal(event: GrantedEvent | RevokedEvent): void {
    if (event.type === 'granted') this.add(event);
    else {
      const c = this.consents.get(event.consentId);
      if (c && c.revokedAt === undefined) Object.assign(c, { revokedAt: event.at, revokedBy: event.by });
    }
  }

  /**
   * Forgets a local grant whose write failed (the caller was told nothing
   * changed). A failed withdrawal stays in force here: refusing transfers the
   * person asked to stop is the safe side.
   */
  undoLocal(event: GrantedEvent | RevokedEvent): void {
    if (event.type !== 'granted' || this.logged.has(event.consent.consentId)) return;
    const { consentId, subjectRef } = event.consent;
    this.consents.delete(consentId);
    this.bySubjectRef.get(subjectRef)?.delete(consentId);
  }

  /** Applies an event read from the topic, in log order; for a use, says whether it counted. */
  apply(event: ConsentEvent): UseVerdict | undefined {
    switch (event.type) {
      case 'granted':
        if (this.logged.has(event.consent.consentId)) return undefined;
        this.logged.set(event.consent.consentId, { revoked: false });
        this.add(event);
        return undefined;
      case 'revoked': {
        const logged = this.logged.get(event.consentId);
        if (!logged || logged.revoked) return undefined;
        logged.revoked = true;
        // The first withdrawal in log order is the one every node records, even where another was applied ahead of it here.
        Object.assign(this.consents.get(event.consentId)!, { revokedAt: event.at, revokedBy: event.by });
        return undefined;
      }
      case 'used':
        return this.use(event);
    }
  }

  private use(event: UsedEvent): UseVerdict {
    const seen = this.useVerdicts.get(event.eventId);
    if (seen) return seen;
    const verdict = this.verdictOf(event.consentId);
    this.useVerdicts.set(event.eventId, verdict);
    if (verdict.counted) this.consents.get(event.consentId)!.uses += 1;
    return verdict;
  }

  private verdictOf(consentId: string): UseVerdict {
    const logged = this.logged.get(consentId);
    const c = this.consents.get(consentId);
    if (!logged || !c) return { counted: false, reason: 'ERR_CONSENT_NOT_FOUND' };
    if (logged.revoked) return { counted: false, reason: 'ERR_CONSENT_REVOKED' };
    if (c.maxUses !== undefined && c.uses >= c.maxUses) return { counted: false, reason: 'ERR_CONSENT_USES_EXHAUSTED' };
    return { counted: true };
  }

  private add(event: GrantedEvent): void {
    const { consentId, subjectRef } = event.consent;
    if (this.consents.has(consentId)) return;
    this.consents.set(consentId, { ...event.consent, uses: 0 });
    const set = this.bySubjectRef.get(subjectRef) ?? new Set<string>();
    set.add(consentId);
    this.bySubjectRef.set(subjectRef, set);
  }
}
