import type { ConsentLookup, ConsentState } from '../../policies/consent.types.ts';
import type { ConsentEvent } from './consent-events.ts';

/**
 * The current state of every consent, materialised from consent events. Pure:
 * no I/O, so it is the same whether fed from Kafka or by a test. Consents are
 * immutable once granted; only revocation and use counts change.
 */
export class ConsentView implements ConsentLookup {
  private readonly consents = new Map<string, ConsentState>();
  private readonly bySubjectRef = new Map<string, Set<string>>();
  /** Events applied locally before they come back from the topic: applied once only. */
  private readonly appliedLocally = new Set<string>();
  /** Ids of the use events counted: a replayed use (the same signed bytes again) counts once. */
  private readonly usesCounted = new Set<string>();

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

  /** Applies an event this node has just produced, before it is read back. */
  applyLocal(event: ConsentEvent): void {
    this.appliedLocally.add(event.eventId);
    this.mutate(event);
  }

  /** Applies an event read from the topic. */
  apply(event: ConsentEvent): void {
    if (this.appliedLocally.delete(event.eventId)) return;
    this.mutate(event);
  }

  /** Forgets a local event whose produce failed, undoing it. */
  undoLocal(event: ConsentEvent): void {
    if (!this.appliedLocally.delete(event.eventId)) return;
    if (event.type === 'used' && this.usesCounted.delete(event.eventId)) {
      const c = this.consents.get(event.consentId);
      if (c) c.uses = Math.max(0, c.uses - 1);
    }
  }

  private mutate(event: ConsentEvent): void {
    switch (event.type) {
      case 'granted': {
        if (this.consents.has(event.consent.consentId)) return;
        this.consents.set(event.consent.consentId, { ...event.consent, uses: 0 });
        const set = this.bySubjectRef.get(event.consent.subjectRef) ?? new Set<string>();
        set.add(event.consent.consentId);
        this.bySubjectRef.set(event.consent.subjectRef, set);
        return;
      }
      case 'revoked': {
        const c = this.consents.get(event.consentId);
        if (c && c.revokedAt === undefined) Object.assign(c, { revokedAt: event.at, revokedBy: event.by });
        return;
      }
      case 'used': {
        const c = this.consents.get(event.consentId);
        if (!c || this.usesCounted.has(event.eventId)) return;
        this.usesCounted.add(event.eventId);
        c.uses += 1;
        return;
      }
    }
  }
}
